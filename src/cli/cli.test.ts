import { describe, expect, it } from "vitest";
import { handled } from "./commands/reconcile.js";
import { observed } from "./commands/suspend.js";
import { parseInventoryId, renderTree } from "./commands/tree.js";
import { formatTable } from "./output.js";
import { runCli } from "./program.js";

const ready = (status: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name: "a", generation: 2 },
  status: {
    conditions: [{ type: "Ready", status, message: `m-${status}`, observedGeneration: 2 }],
    ...extra,
  },
});

describe("inventory ids", () => {
  it("parses namespaced, cluster-scoped and core entries", () => {
    expect(parseInventoryId("default_podinfo_apps_Deployment")).toEqual({
      namespace: "default",
      name: "podinfo",
      group: "apps",
      kind: "Deployment",
    });
    expect(parseInventoryId("_podinfo__Namespace")).toEqual({
      namespace: "",
      name: "podinfo",
      group: "",
      kind: "Namespace",
    });
    expect(parseInventoryId("default_my_app_svc__Service")).toEqual({
      namespace: "default",
      name: "my_app_svc",
      group: "",
      kind: "Service",
    });
  });
  it("turns __ back into : in RBAC names", () => {
    expect(parseInventoryId("_system__controller_rbac.authorization.k8s.io_ClusterRole").name).toBe(
      "system:controller",
    );
  });
});

describe("tree rendering", () => {
  it("draws nested Kustomizations like flux tree", () => {
    const leaf = (kind: string, name: string, namespace = "apps") => ({
      kind,
      group: "",
      namespace,
      name,
      children: [],
    });
    const text = renderTree({
      kind: "Kustomization",
      group: "kustomize.toolkit.fluxcd.io",
      namespace: "flux-system",
      name: "root",
      children: [
        leaf("Namespace", "apps", ""),
        { ...leaf("Kustomization", "child", "flux-system"), children: [leaf("Service", "web")] },
        leaf("Deployment", "web"),
      ],
    });
    expect(text).toBe(
      [
        "Kustomization/flux-system/root",
        "├── Namespace/apps",
        "├── Kustomization/flux-system/child",
        "│   └── Service/apps/web",
        "└── Deployment/apps/web",
        "",
      ].join("\n"),
    );
  });
});

describe("waiting on the controller", () => {
  it("reconcile is done only when the request was handled and Ready is True", () => {
    expect(handled(ready("True", { lastHandledReconcileAt: "old" }), "new")).toEqual({ done: false });
    expect(handled(ready("True", { lastHandledReconcileAt: "new" }), "new").done).toBe(true);
    expect(handled(ready("False", { lastHandledReconcileAt: "new" }), "new")).toEqual({
      done: false,
      failed: "m-False",
    });
    expect(handled(ready("Unknown", { lastHandledReconcileAt: "new" }), "new")).toEqual({ done: false });
  });
  it("resume waits for the new generation to be observed", () => {
    expect(observed(ready("True"), 3)).toEqual({ done: false });
    expect(observed(ready("True"), 2).done).toBe(true);
    expect(observed(ready("False"), 2)).toEqual({ done: false, failed: "m-False" });
  });
});

describe("tables", () => {
  it("aligns columns and ignores colour codes when measuring", () => {
    const text = formatTable(
      ["NAME", "READY", "MESSAGE"],
      [
        ["a", "\u001b[32mTrue\u001b[0m", "ok"],
        ["long-name", "False", "bad"],
      ],
    );
    expect(text).toBe(
      "NAME        READY   MESSAGE\na           \u001b[32mTrue\u001b[0m    ok\nlong-name   False   bad\n",
    );
  });
});

describe("usage errors", () => {
  const io = () => {
    const out = { stdout: "", stderr: "" };
    return {
      out,
      io: {
        stdout: (t: string) => (out.stdout += t),
        stderr: (t: string) => (out.stderr += t),
        tty: false,
        env: {},
      },
    };
  };
  it("exits 2 on an unknown source type with a message", async () => {
    const { out, io: cliIo } = io();
    expect(await runCli(["get", "sources", "helm"], cliIo)).toBe(2);
    expect(out.stderr).toContain('unsupported source type "helm"');
  });
  it("exits 2 on an unknown command and 0 on --help", async () => {
    expect(await runCli(["frobnicate"], io().io)).toBe(2);
    const { out, io: cliIo } = io();
    expect(await runCli(["--help"], cliIo)).toBe(0);
    expect(out.stdout).toContain("reconcile");
  });
});
