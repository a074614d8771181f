/**
 * Which objects the health step waits for (issue 15 names this test for `spec.healthChecks`):
 * `spec.wait` means every applied object, else the `spec.healthChecks` list with Flux's defaults.
 */
import { describe, expect, it } from "vitest";
import type { Kustomization } from "../api/index.js";
import { entryFor } from "../apply/changeset.js";
import { healthRefs, wantsHealthCheck } from "./apply-steps.js";

function ks(spec: Partial<Kustomization["spec"]>): Kustomization {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "app", namespace: "flux" },
    spec: { interval: "1h", prune: true, sourceRef: { kind: "GitRepository", name: "repo" }, ...spec },
  };
}

const applied = [
  entryFor({ group: "", kind: "ConfigMap", namespace: "apps", name: "cfg" }, "v1", "created"),
  entryFor({ group: "apps", kind: "Deployment", namespace: "apps", name: "web" }, "v1", "unchanged"),
];

describe("healthRefs", () => {
  it("spec.healthChecks: each listed object, apiVersion defaulting to apps/v1 and namespace to the Kustomization's", () => {
    const refs = healthRefs(
      ks({
        healthChecks: [
          { kind: "Deployment", name: "api" },
          { apiVersion: "example.com/v2", kind: "Widget", name: "w", namespace: "other" },
        ],
      }),
      applied,
    );
    expect(refs).toEqual([
      { group: "apps", version: "v1", kind: "Deployment", name: "api", namespace: "flux" },
      { group: "example.com", version: "v2", kind: "Widget", name: "w", namespace: "other" },
    ]);
    expect(wantsHealthCheck(ks({ healthChecks: [{ kind: "Deployment", name: "api" }] }))).toBe(true);
  });

  it("spec.healthChecks never lists the Kustomization itself", () => {
    const self = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      name: "app",
      namespace: "flux",
    };
    expect(healthRefs(ks({ healthChecks: [self] }), applied)).toEqual([]);
  });

  it("spec.wait: every applied object; no healthChecks and no wait: no health check", () => {
    expect(healthRefs(ks({ wait: true }), applied).map((r) => r.name)).toEqual(["cfg", "web"]);
    expect(wantsHealthCheck(ks({}))).toBe(false);
  });

  it("leaves out what the API server returned Current to the apply, for wait and for healthChecks", () => {
    const cfg = "apps_cfg__ConfigMap";
    expect(healthRefs(ks({ wait: true }), applied, new Set([cfg])).map((r) => r.name)).toEqual(["web"]);
    const listed = ks({
      healthChecks: [{ apiVersion: "v1", kind: "ConfigMap", name: "cfg", namespace: "apps" }],
    });
    expect(healthRefs(listed, applied, new Set([cfg]))).toEqual([]);
    expect(healthRefs(listed, applied, new Set())).toHaveLength(1);
  });
});
