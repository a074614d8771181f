import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../util/kube-object.js";
import { CustomHealthChecks } from "./cel-status.js";
import { computeStatus } from "./kstatus.js";

const widget = (status: Record<string, unknown> | undefined, generation = 1): KubeObject => ({
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name: "w", namespace: "ns", generation },
  ...(status === undefined ? {} : { status }),
});
const rules = {
  apiVersion: "example.com/v1",
  kind: "Widget",
  current: "status.phase == 'Ready'",
  inProgress: "status.phase == 'Pending'",
  failed: "status.phase == 'Broken'",
};
const statusOf = (checks: CustomHealthChecks, obj: KubeObject) => checks.statusOf(obj)?.status;

describe("healthCheckExprs status evaluation (issue 15)", () => {
  const checks = CustomHealthChecks.compile([rules]);

  it("maps the first true expression to its kstatus, in the order inProgress, failed, current", () => {
    expect(statusOf(checks, widget({ phase: "Ready" }))).toBe("Current");
    expect(statusOf(checks, widget({ phase: "Pending" }))).toBe("InProgress");
    expect(statusOf(checks, widget({ phase: "Broken" }))).toBe("Failed");
    const all = CustomHealthChecks.compile([
      { ...rules, current: "true", failed: "true", inProgress: "true" },
    ]);
    expect(statusOf(all, widget({}))).toBe("InProgress");
    const failedBeforeCurrent = CustomHealthChecks.compile([
      { apiVersion: "example.com/v1", kind: "Widget", current: "true", failed: "true" },
    ]);
    expect(statusOf(failedBeforeCurrent, widget({}))).toBe("Failed");
  });

  it("is InProgress when no expression is true, and skips absent ones", () => {
    expect(statusOf(checks, widget({ phase: "Other" }))).toBe("InProgress");
    const currentOnly = CustomHealthChecks.compile([
      { apiVersion: "example.com/v1", kind: "Widget", current: "status.ok" },
    ]);
    expect(statusOf(currentOnly, widget({ ok: false }))).toBe("InProgress");
    expect(statusOf(currentOnly, widget({ ok: true }))).toBe("Current");
  });

  it("checks observedGeneration before any expression", () => {
    expect(statusOf(checks, widget({ phase: "Ready", observedGeneration: 1 }, 2))).toBe("InProgress");
    expect(statusOf(checks, widget({ phase: "Ready", observedGeneration: 2 }, 2))).toBe("Current");
  });

  it("makes an object Unknown with the evaluation error when an expression fails", () => {
    expect(checks.statusOf(widget(undefined))).toEqual({
      status: "Unknown",
      message: expect.stringMatching(/^failed to evaluate the CEL expression 'status.phase == 'Pending'': /),
    });
  });

  it("applies to a group and kind whatever the version; a kind rule wins over a group rule", () => {
    const both = CustomHealthChecks.compile([
      { apiVersion: "example.com/v1", current: "false" },
      { apiVersion: "example.com/v2beta1", kind: "Widget", current: "true" },
    ]);
    expect(statusOf(both, widget({}))).toBe("Current");
    expect(statusOf(both, { ...widget({}), kind: "Gadget" })).toBe("InProgress");
    expect(both.statusOf({ ...widget({}), apiVersion: "other.io/v1" })).toBeUndefined();
  });

  it("replaces the built-in kstatus rules for the kinds it covers", () => {
    const deployment: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: {},
    };
    const custom = CustomHealthChecks.compile([
      { apiVersion: "apps/v1", kind: "Deployment", current: "true" },
    ]);
    expect(computeStatus(deployment, { now: 0 }).status).not.toBe("Current");
    expect(computeStatus(deployment, { now: 0, custom }).status).toBe("Current");
    expect(computeStatus(widget({ phase: "Broken" }), { now: 0, custom }).status).toBe("Current");
  });

  it("refuses rules that do not parse, a missing current, and duplicate group/kinds, with Flux's messages", () => {
    expect(() => CustomHealthChecks.compile([{ ...rules, failed: "status.phase ==" }])).toThrow(
      /^failed to create custom status evaluator for healthchecks\[0\]: failed to parse the expression Failed: failed to parse the CEL expression 'status.phase =='/,
    );
    expect(() => CustomHealthChecks.compile([{ ...rules, current: "" }])).toThrow(
      "failed to create custom status evaluator for healthchecks[0]: expression Current not specified",
    );
    expect(() => CustomHealthChecks.compile([rules, { ...rules, apiVersion: "example.com/v2" }])).toThrow(
      "duplicate custom health check for GroupKind Widget.example.com at healthchecks[1]",
    );
  });
});
