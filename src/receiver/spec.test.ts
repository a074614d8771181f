import { describe, expect, it } from "vitest";
import type { Receiver, ReceiverSpec } from "../api/receiver.js";
import { checkReceiverSpec, ReceiverSpecError } from "./spec.js";

const receiver = (spec: Partial<ReceiverSpec>): Receiver => ({
  apiVersion: "notification.toolkit.fluxcd.io/v1",
  kind: "Receiver",
  metadata: { name: "hook", namespace: "apps" },
  spec: {
    type: "github",
    secretRef: { name: "token" },
    resources: [{ kind: "GitRepository", name: "app" }],
    ...spec,
  },
});
const open = { noCrossNamespaceRefs: false };

function specError(spec: Partial<ReceiverSpec>, options = open): ReceiverSpecError {
  try {
    checkReceiverSpec(receiver(spec), options);
  } catch (err) {
    if (err instanceof ReceiverSpecError) return err;
    throw err;
  }
  throw new Error("expected a ReceiverSpecError");
}

describe("checkReceiverSpec", () => {
  it("resolves names, wildcards, default namespace and apiVersion", () => {
    const checked = checkReceiverSpec(
      receiver({
        resources: [
          { kind: "GitRepository", name: "app" },
          { kind: "Kustomization", name: "*", namespace: "other", matchLabels: { team: "a" } },
          { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", name: "b" },
        ],
      }),
      open,
    );
    expect(checked).toEqual({
      type: "github",
      secretName: "token",
      targets: [
        {
          kind: "GitRepository",
          apiVersion: "source.toolkit.fluxcd.io/v1",
          plural: "gitrepositories",
          namespace: "apps",
          name: "app",
          matchLabels: {},
        },
        {
          kind: "Kustomization",
          apiVersion: "kustomize.toolkit.fluxcd.io/v1",
          plural: "kustomizations",
          namespace: "other",
          name: undefined,
          matchLabels: { team: "a" },
        },
        {
          kind: "GitRepository",
          apiVersion: "source.toolkit.fluxcd.io/v1",
          plural: "gitrepositories",
          namespace: "apps",
          name: "b",
          matchLabels: {},
        },
      ],
    });
  });

  it.each<[string, Partial<ReceiverSpec>, string, RegExp]>([
    [
      "an unverified type",
      { type: "harbor" },
      "UnsupportedField",
      /spec.type 'harbor' is not implemented by mooring; use one of generic, generic-hmac, github, gitlab/,
    ],
    [
      "resourceFilter",
      { resourceFilter: "true" },
      "UnsupportedField",
      /spec.resourceFilter \(CEL\) is not implemented/,
    ],
    [
      "a per-resource filter",
      { resources: [{ kind: "GitRepository", name: "a", filter: "true" }] },
      "UnsupportedField",
      /spec.resources\[0\] .*filter/,
    ],
    [
      "a kind mooring does not reconcile",
      { resources: [{ kind: "HelmRelease", name: "a" }] },
      "UnsupportedField",
      /kind HelmRelease is not reconciled by mooring; a Receiver can target GitRepository, OCIRepository, Kustomization/,
    ],
    [
      "another apiVersion",
      { resources: [{ kind: "GitRepository", name: "a", apiVersion: "source.toolkit.fluxcd.io/v1beta2" }] },
      "UnsupportedField",
      /apiVersion source.toolkit.fluxcd.io\/v1beta2 is not served by mooring/,
    ],
    [
      "'*' without matchLabels",
      { resources: [{ kind: "Kustomization", name: "*" }] },
      "ValidationFailed",
      /matchLabels field not set when using wildcard '\*' as name/,
    ],
    ["no secretRef", { secretRef: undefined }, "ValidationFailed", /secretRef is required/],
    [
      "oidcProviders",
      { oidcProviders: [{}] },
      "ValidationFailed",
      /oidcProviders can only be set when type is generic-oidc/,
    ],
  ])("stalls on %s", (_what, spec, reason, message) => {
    const err = specError(spec);
    expect(err.reason).toBe(reason);
    expect(err.message).toMatch(message);
  });

  it("--no-cross-namespace-refs refuses resources in another namespace", () => {
    const spec = { resources: [{ kind: "GitRepository", name: "a", namespace: "other" }] };
    expect(() => checkReceiverSpec(receiver(spec), open)).not.toThrow();
    const err = specError(spec, { noCrossNamespaceRefs: true });
    expect(err.reason).toBe("AccessDenied");
    expect(err.message).toContain("cross-namespace references are not allowed");
  });
});
