import { describe, expect, it } from "vitest";
import type { Kustomization } from "../api/index.js";
import { forceHint } from "../apply/cluster/index.js";
import {
  crdMissingHint,
  dependencyHint,
  forbiddenHint,
  guessPlural,
  type HintContext,
  inventoryHolderKeys,
  NO_HOLDERS,
  namespaceMissingHint,
  unsetVariableHint,
  withFixHint,
} from "./fix-hints.js";
import { testKustomization } from "./test-fakes.js";

/** A cache of Kustomizations indexed as the controller indexes its own. */
function holdersOf(...kss: Kustomization[]): HintContext["holders"] {
  return {
    holders: (key) =>
      kss
        .filter((ks) => inventoryHolderKeys(ks).includes(key))
        .map((ks) => `${ks.metadata.namespace}/${ks.metadata.name}`),
  };
}

function withInventory(name: string, ids: string[]): Kustomization {
  const ks = testKustomization(name);
  ks.status = { inventory: { entries: ids.map((id) => ({ id, v: "v1" })) } };
  return ks;
}

const infra = withInventory("infra", [
  "_widgets.example.com_apiextensions.k8s.io_CustomResourceDefinition",
  "_gadgets.tools.io_apiextensions.k8s.io_CustomResourceDefinition",
  "_team-a__Namespace",
  "team-a_cfg__ConfigMap",
]);
const known: HintContext = { holders: holdersOf(infra), self: "flux/app" };
const unknown: HintContext = { holders: NO_HOLDERS, self: "flux/app" };

describe("inventoryHolderKeys", () => {
  it("indexes the CRDs (by name and group) and Namespaces of an inventory, nothing else", () => {
    expect(inventoryHolderKeys(infra)).toEqual([
      "crd:widgets.example.com",
      "crd-group:example.com",
      "crd:gadgets.tools.io",
      "crd-group:tools.io",
      "namespace:team-a",
    ]);
    expect(inventoryHolderKeys(withInventory("bad", ["not-an-id"]))).toEqual([]);
  });

  it("guesses plurals as Kubernetes does", () => {
    expect(["Widget", "Policy", "Ingress"].map(guessPlural)).toEqual(["widgets", "policies", "ingresses"]);
  });
});

describe("CRD missing", () => {
  const text = 'Widget/apps/w1 dry-run failed: no matches for kind "Widget" in version "example.com/v1"';

  it("names the Kustomization whose inventory holds the CRD", () => {
    expect(withFixHint(text, known)).toBe(
      `${text}; fix: the CustomResourceDefinition widgets.example.com is in the inventory of Kustomization flux/infra: list it in spec.dependsOn so that this Kustomization waits for it`,
    );
  });

  it("falls back to a Kustomization installing CRDs of the same group, then to the generic fix", () => {
    const other = 'no matches for kind "Sprocket" in version "tools.io/v1beta1"';
    expect(crdMissingHint(other, known)).toBe(
      "Kustomization flux/infra installs CustomResourceDefinitions of group tools.io: if one of them serves Sprocket, list it in spec.dependsOn so that this Kustomization waits for it",
    );
    expect(crdMissingHint(text, unknown)).toBe(
      "install the CustomResourceDefinition that serves Widget in example.com/v1 before this Kustomization applies (from a Kustomization listed in spec.dependsOn, or add it to this one's resources), or correct the apiVersion",
    );
  });

  it("never names the failing Kustomization itself; a core version means a typo", () => {
    expect(crdMissingHint(text, { ...known, self: "flux/infra" })).toMatch(
      /^install the CustomResourceDefinition/,
    );
    expect(crdMissingHint('no matches for kind "Confgmap" in version "v1"', unknown)).toBe(
      "v1 has no kind Confgmap: check the apiVersion and kind",
    );
  });
});

describe("namespace missing", () => {
  const text = 'ConfigMap/team-a/cfg not found: namespaces "team-a" not found';

  it("names the Kustomization whose inventory holds the Namespace", () => {
    expect(withFixHint(text, known)).toBe(
      `${text}; fix: Namespace team-a is in the inventory of Kustomization flux/infra: list it in spec.dependsOn so that the namespace exists first`,
    );
  });

  it("says how to create it when no Kustomization has it", () => {
    expect(namespaceMissingHint('namespaces "nowhere" not found', known)).toBe(
      "create Namespace nowhere first: add it to this Kustomization's resources or to one listed in spec.dependsOn, or set spec.targetNamespace to a namespace that exists",
    );
  });
});

describe("forbidden under impersonation", () => {
  it("names the ServiceAccount, verb, resource and namespace to grant", () => {
    const text =
      'ConfigMap/apps/c dry-run failed (Forbidden): configmaps "c" is forbidden: User "system:serviceaccount:apps:deployer" cannot patch resource "configmaps" in API group "" in the namespace "apps"';
    expect(withFixHint(text, unknown)).toBe(
      `${text}; fix: grant ServiceAccount apps/deployer "patch" on "configmaps" (API group "") in namespace apps with a Role and RoleBinding (or a ClusterRole bound there); a Kustomization's ServiceAccount needs get, list, watch, create, patch and delete on what it applies. Or set spec.serviceAccountName to an account that has them`,
    );
  });

  it("asks for a ClusterRole at the cluster scope, and says nothing for the controller's own identity", () => {
    expect(
      forbiddenHint(
        'namespaces "x" is forbidden: User "system:serviceaccount:apps:deployer" cannot get resource "namespaces" in API group "" at the cluster scope',
      ),
    ).toMatch(
      /^grant ServiceAccount apps\/deployer "get" on "namespaces" \(API group ""\) with a ClusterRole and ClusterRoleBinding;/,
    );
    expect(forbiddenHint('User "admin" cannot patch resource "configmaps" in API group ""')).toBeUndefined();
  });
});

describe("immutable field", () => {
  it("suggests spec.force or the force annotation", () => {
    expect(forceHint("Job/apps/migrate")).toBe(
      "Job/apps/migrate has immutable fields that changed; to recreate it, set 'spec.force: true' on the Kustomization or annotate the object with 'kustomize.toolkit.fluxcd.io/force: enabled'",
    );
  });
});

describe("substitution variable missing", () => {
  it("says where to set it or how to give it a default", () => {
    const text =
      'ConfigMap/apps/c: variable substitution failed: variable not set (strict mode): "cluster_name"';
    expect(unsetVariableHint(text)).toBe(
      "set cluster_name in spec.postBuild.substitute or in a ConfigMap or Secret listed in spec.postBuild.substituteFrom, or give it a default in the manifest: ${cluster_name:=default}",
    );
    expect(withFixHint(text, unknown)).toMatch(
      /^ConfigMap\/apps\/c: variable substitution failed: .*; fix: set cluster_name in/,
    );
  });
});

describe("dependency not ready", () => {
  const dep = (status: "True" | "False" | "Unknown", message = "m"): Kustomization => {
    const ks = testKustomization("infra");
    ks.status = {
      conditions: [
        {
          type: "Ready",
          status,
          reason: status === "False" ? "BuildFailed" : "Progressing",
          message,
          lastTransitionTime: "",
        },
      ],
    };
    return ks;
  };

  it("quotes the dependency's failure: the fix is on that Kustomization", () => {
    expect(dependencyHint("flux/infra", dep("False", "kustomize build failed: x\nsecond line"), 30_000)).toBe(
      "Kustomization flux/infra is Ready=False (BuildFailed: kustomize build failed: x): fix that one first; this Kustomization checks again every 30s",
    );
    expect(dependencyHint("flux/infra", dep("False", "y".repeat(500)), 30_000)).toContain(
      `${"y".repeat(199)}…)`,
    );
  });

  it("a missing, a progressing and a Ready-but-behind dependency", () => {
    expect(dependencyHint("flux/infra", undefined, 30_000)).toBe(
      "create Kustomization flux/infra or correct spec.dependsOn; this Kustomization checks again every 30s",
    );
    expect(dependencyHint("flux/infra", dep("Unknown"), 5_000)).toBe(
      "Kustomization flux/infra is still reconciling; this Kustomization checks again every 5s",
    );
    expect(dependencyHint("flux/infra", dep("True"), 30_000)).toBe(
      "Kustomization flux/infra is Ready but has not applied this source revision yet; this Kustomization checks again every 30s",
    );
    expect(dependencyHint("flux/infra", dep("False", ""), 30_000)).toMatch(
      /is Ready=False \(BuildFailed\): fix that/,
    );
  });

  it("a readyExpr that is false", () => {
    expect(dependencyHint("flux/infra", dep("True"), 30_000, true)).toBe(
      "spec.dependsOn[].readyExpr is false for Kustomization flux/infra: change that one, or the expression; this Kustomization checks again every 30s",
    );
  });
});

describe("withFixHint", () => {
  it("leaves other failures as they are", () => {
    const text = "Deployment/apps/web dry-run failed (Invalid): spec.replicas: Invalid value: -1";
    expect(withFixHint(text, known)).toBe(text);
  });
});
