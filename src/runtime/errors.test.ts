import { describe, expect, it } from "vitest";
import {
  DEFAULT_FAILURE_REASON,
  ErrorList,
  GenericError,
  StallingError,
  TerminalError,
  WaitingError,
  classifyError,
  findReconcileError,
  messageOf,
} from "./errors.js";
import { KubeApiError } from "./kube-request.js";
import { computeResult } from "./result.js";

describe("reconcile errors", () => {
  it("carry a reason and a native cause", () => {
    const cause = new Error("dial tcp: refused");
    const err = new GenericError("GitOperationFailed", "clone failed", { cause });
    expect(err.reason).toBe("GitOperationFailed");
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
    expect(err.kind).toBe("generic");
  });

  it("sanitise their message at construction", () => {
    const err = new StallingError("URLInvalid", "bad url https://me:tok3n@host/r with tok3n", {
      secrets: ["tok3n"],
    });
    expect(err.message).not.toContain("tok3n");
    expect(err.message).toContain("https://host/r");
  });

  it("terminal errors are stalling", () => {
    const err = new TerminalError("AccessDenied", "cross-namespace ref");
    expect(err).toBeInstanceOf(StallingError);
    expect(classifyError(err).kind).toBe("stalling");
  });
});

describe("classifyError", () => {
  it("walks the cause chain and keeps the outer message", () => {
    const inner = new WaitingError("DependencyNotReady", "dep not ready", { requeueAfterMs: 30_000 });
    const outer = new Error("reconcile failed: dep not ready", { cause: inner });
    const c = classifyError(outer);
    expect(c).toMatchObject({
      kind: "waiting",
      reason: "DependencyNotReady",
      message: "reconcile failed: dep not ready",
      requeueAfterMs: 30_000,
      eventType: "Normal",
    });
    expect(findReconcileError(outer)).toBe(inner);
  });

  it("treats unknown errors as generic with a default reason, sanitised", () => {
    const c = classifyError(new Error("GET https://a:b@h/x: 500"));
    expect(c).toMatchObject({
      kind: "generic",
      reason: DEFAULT_FAILURE_REASON,
      message: "GET https://h/x: 500",
    });
  });

  it("handles non-Error values and cycles", () => {
    expect(classifyError("boom").message).toBe("boom");
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(classifyError(a).kind).toBe("generic");
  });

  it("reports generic retryAfter and ignore", () => {
    expect(classifyError(new GenericError("R", "m", { retryAfterMs: 60_000 })).requeueAfterMs).toBe(60_000);
    expect(classifyError(new GenericError("R", "m", { ignore: true, event: "Normal" }))).toMatchObject({
      ignore: true,
      eventType: "Normal",
    });
  });
});

describe("messageOf API errors", () => {
  it("is the API server's Status message, after what was asked", () => {
    const err = new KubeApiError(
      409,
      { message: 'Operation cannot be fulfilled on kustomizations "a": the object has been modified' },
      "PATCH /apis/kustomize.toolkit.fluxcd.io/v1/namespaces/ns/kustomizations/a",
    );
    expect(messageOf(err)).toBe(
      'PATCH /apis/kustomize.toolkit.fluxcd.io/v1/namespaces/ns/kustomizations/a: Operation cannot be fulfilled on kustomizations "a": the object has been modified',
    );
  });
  it("is the HTTP code when the answer had no message", () => {
    expect(messageOf(new KubeApiError(503, {}))).toBe("HTTP 503");
  });
});

describe("ErrorList (issue 14)", () => {
  it("puts the first error and a count in the message, every error in the event", () => {
    const errors = Array.from({ length: 13 }, (_, i) => `ConfigMap/ns/c${i} failed`);
    const list = new ErrorList(errors, "apply failed: ");
    expect(list.message).toBe("apply failed: ConfigMap/ns/c0 failed (and 12 more errors)");
    const wrapped = new GenericError("ReconciliationFailed", `${list.message}\nConfigMap/ns/x created`, {
      cause: list,
    });
    const failure = classifyError(wrapped);
    expect(failure.message).toBe(wrapped.message);
    expect(failure.details).toBe(`apply failed: ${errors.join("\n")}\nConfigMap/ns/x created`);
    const events = computeResult({ metadata: { generation: 1 } }, "success", wrapped, {
      intervalMs: 0,
    }).events;
    expect(events[0]?.message).toBe(failure.details);
  });

  it("keeps a single error as it is, and bounds a huge list in the event", () => {
    expect(new ErrorList(["only one"]).message).toBe("only one");
    const huge = new ErrorList(Array.from({ length: 100_000 }, (_, i) => `object ${i} is wrong`));
    expect(huge.details.length).toBeLessThanOrEqual(256 * 1024 + 40);
    expect(huge.details).toMatch(/\n\(and \d+ more errors\)$/);
  });
});
