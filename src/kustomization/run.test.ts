/** Who a Kustomization acts as (issue 15 names this test for `spec.serviceAccountName`). */
import { describe, expect, it } from "vitest";
import type { Kustomization } from "../api/index.js";
import { impersonationOf, serviceAccountOf } from "./run.js";

const ks = (serviceAccountName?: string): Kustomization => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "app", namespace: "team-a" },
  spec: {
    interval: "1h",
    prune: true,
    sourceRef: { kind: "GitRepository", name: "repo" },
    ...(serviceAccountName === undefined ? {} : { serviceAccountName }),
  },
});

describe("spec.serviceAccountName", () => {
  it("impersonates the named ServiceAccount of the Kustomization's namespace", () => {
    expect(serviceAccountOf(ks("deployer"), undefined)).toBe("deployer");
    expect(impersonationOf(ks("deployer"), "fallback")).toBe("system:serviceaccount:team-a:deployer");
  });

  it("falls back to --default-service-account, else the controller's own identity", () => {
    expect(impersonationOf(ks(), "fallback")).toBe("system:serviceaccount:team-a:fallback");
    expect(impersonationOf(ks(""), undefined)).toBeUndefined();
    expect(impersonationOf(ks(), undefined)).toBeUndefined();
  });
});
