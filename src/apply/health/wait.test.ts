import { describe, expect, it } from "vitest";
import type { ObjMetadata } from "../types.js";
import type { KStatus } from "./result.js";
import {
  healthCheckFailedMessage,
  healthCheckPassedMessage,
  healthFailureMessage,
  type HealthReport,
  waitIsOver,
} from "./wait.js";

const ref = (kind: string, name: string, namespace = "apps", group = "apps"): ObjMetadata => ({
  kind,
  name,
  namespace,
  group,
});
const rep = (
  r: ObjMetadata,
  status: KStatus | undefined,
  extra: Partial<HealthReport> = {},
): HealthReport => ({
  ref: r,
  result: status === undefined ? undefined : { status, message: "" },
  ...extra,
});
const web = ref("Deployment", "web");
const api = ref("Deployment", "api");
const job = ref("Job", "migrate", "apps", "batch");

describe("waitIsOver", () => {
  it.each<[string, HealthReport[], boolean, boolean]>([
    ["all Current", [rep(web, "Current"), rep(api, "Current")], true, true],
    ["one InProgress", [rep(web, "Current"), rep(api, "InProgress")], true, false],
    ["Failed with fail-fast", [rep(web, "InProgress"), rep(api, "Failed")], true, true],
    [
      "Failed without fail-fast while others progress",
      [rep(web, "InProgress"), rep(api, "Failed")],
      false,
      false,
    ],
    ["only Failed and Current is terminal", [rep(web, "Current"), rep(api, "Failed")], false, true],
    ["not yet observed", [rep(web, undefined)], true, false],
    ["NotFound", [rep(web, "NotFound")], true, false],
    ["TTL Job gone counts as Current", [rep(job, "NotFound", { jobWithTTL: true })], true, true],
    ["nothing to wait for", [], true, true],
  ])("%s → %s", (_name, reports, failFast, want) => {
    expect(waitIsOver(reports, failFast)).toBe(want);
  });
});

describe("healthFailureMessage", () => {
  it("lists everything not Current after a timeout, in apply order", () => {
    const svc = ref("Service", "web", "apps", "");
    const msg = healthFailureMessage(
      [
        rep(web, "InProgress"),
        rep(svc, "Current"),
        rep(api, "Failed", { error: "boom" }),
        rep(ref("Namespace", "apps", "", ""), "Terminating"),
      ],
      true,
    );
    expect(msg).toBe(
      "timeout waiting for: [Namespace/apps status: 'Terminating', Deployment/apps/api status: 'Failed': boom, Deployment/apps/web status: 'InProgress']",
    );
  });

  it("lists only Failed objects when ending early", () => {
    expect(healthFailureMessage([rep(web, "Current"), rep(api, "Failed")], false)).toBe(
      "failed early due to stalled resources: [Deployment/apps/api status: 'Failed']",
    );
  });

  it("names objects it never saw, except TTL Jobs", () => {
    expect(healthFailureMessage([rep(web, undefined), rep(job, undefined, { jobWithTTL: true })], true)).toBe(
      "timeout waiting for: [can't determine status for Deployment/apps/web]",
    );
  });

  it("is undefined on success", () => {
    expect(
      healthFailureMessage([rep(web, "Current"), rep(job, "NotFound", { jobWithTTL: true })], true),
    ).toBeUndefined();
  });
});

describe("wrapping messages", () => {
  it("formats durations like Go", () => {
    expect(healthCheckFailedMessage(90_000, "timeout waiting for: [x]")).toBe(
      "health check failed after 1m30s: timeout waiting for: [x]",
    );
    expect(healthCheckPassedMessage(1_234.5)).toBe("Health check passed in 1.2345s");
  });
});
