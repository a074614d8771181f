import { describe, expect, it } from "vitest";
import {
  diffInventory,
  InventoryParseError,
  inventoryEntryOf,
  listInventory,
  mergeInventory,
  objectId,
  parseObjectId,
} from "./inventory.js";
import { obj } from "./test-fixtures.js";

describe("objectId / parseObjectId", () => {
  it.each([
    [{ namespace: "default", name: "podinfo", group: "", kind: "Service" }, "default_podinfo__Service"],
    [{ namespace: "", name: "apps", group: "", kind: "Namespace" }, "_apps__Namespace"],
    [{ namespace: "apps", name: "web", group: "apps", kind: "Deployment" }, "apps_web_apps_Deployment"],
    [
      {
        namespace: "",
        name: "system:controller:foo",
        group: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
      },
      "_system__controller__foo_rbac.authorization.k8s.io_ClusterRole",
    ],
    [
      { namespace: "ns", name: "a:b", group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
      "ns_a__b_rbac.authorization.k8s.io_RoleBinding",
    ],
    [
      {
        namespace: "",
        name: "x.example.com",
        group: "apiextensions.k8s.io",
        kind: "CustomResourceDefinition",
      },
      "_x.example.com_apiextensions.k8s.io_CustomResourceDefinition",
    ],
  ])("%j ⇄ %s", (meta, id) => {
    expect(objectId(meta)).toBe(id);
    expect(parseObjectId(id)).toEqual(meta);
  });

  it("writes a colon verbatim for non-RBAC kinds (only RBAC names are transcoded)", () => {
    expect(objectId({ namespace: "", name: "a:b", group: "", kind: "ConfigMap" })).toBe("_a:b__ConfigMap");
  });

  it("parses names containing underscores by splitting first and last two separators", () => {
    expect(parseObjectId("ns_my_name_example.com_Thing")).toEqual({
      namespace: "ns",
      name: "my_name",
      group: "example.com",
      kind: "Thing",
    });
  });

  it.each(["", "nounderscores", "ns_onlyone", "ns__Kind"])("rejects %j", (id) => {
    expect(() => parseObjectId(id)).toThrow(InventoryParseError);
  });
});

describe("inventory entries", () => {
  it("records the version without the group", () => {
    expect(inventoryEntryOf(obj("apps/v1", "Deployment", "apps/web"))).toEqual({
      id: "apps_web_apps_Deployment",
      v: "v1",
    });
    expect(inventoryEntryOf(obj("v1", "Namespace", "apps"))).toEqual({ id: "_apps__Namespace", v: "v1" });
  });

  it("lists entries back as identities with versions", () => {
    expect(listInventory([{ id: "apps_web_apps_Deployment", v: "v1" }])).toEqual([
      { namespace: "apps", name: "web", group: "apps", kind: "Deployment", version: "v1" },
    ]);
  });
});

describe("diffInventory", () => {
  const old = [
    { id: "_apps__Namespace", v: "v1" },
    { id: "apps_web__Service", v: "v1" },
    { id: "apps_web_apps_Deployment", v: "v1" },
    { id: "apps_old_example.com_Widget", v: "v1beta1" },
    { id: "apps_cfg__ConfigMap", v: "v1" },
  ];

  it("returns objects that left, with their old version, in kind order", () => {
    const next = [
      { id: "_apps__Namespace", v: "v1" },
      { id: "apps_web_apps_Deployment", v: "v1" },
    ];
    expect(diffInventory(old, next).map((o) => `${o.kind}/${o.name}@${o.version}`)).toEqual([
      "ConfigMap/cfg@v1",
      "Service/web@v1",
      "Widget/old@v1beta1",
    ]);
  });

  it("compares by id only, so a version change is not stale", () => {
    expect(
      diffInventory(
        [{ id: "apps_w_example.com_Widget", v: "v1" }],
        [{ id: "apps_w_example.com_Widget", v: "v2" }],
      ),
    ).toEqual([]);
  });

  it("is empty for identical inventories and everything for an empty next", () => {
    expect(diffInventory(old, old)).toEqual([]);
    expect(diffInventory(old, [])).toHaveLength(5);
    expect(diffInventory([], old)).toEqual([]);
  });
});

describe("mergeInventory", () => {
  it("appends objects not yet present (failed deletes go back in)", () => {
    const entries = [{ id: "apps_web_apps_Deployment", v: "v1" }];
    const merged = mergeInventory(entries, [
      { namespace: "apps", name: "web", group: "apps", kind: "Deployment", version: "v1" },
      { namespace: "apps", name: "old", group: "", kind: "ConfigMap", version: "v1" },
    ]);
    expect(merged).toEqual([
      { id: "apps_web_apps_Deployment", v: "v1" },
      { id: "apps_old__ConfigMap", v: "v1" },
    ]);
  });
});
