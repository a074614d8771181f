/** kstatus result values and constructors, shared by the per-kind rules. */
import type { KubeObject } from "../../util/kube-object.js";

/** kstatus values. */
export type KStatus = "InProgress" | "Failed" | "Current" | "Terminating" | "NotFound" | "Unknown";

/** A status with a human message (and the condition reason when there is one). */
export interface StatusResult {
  readonly status: KStatus;
  readonly message: string;
  readonly reason?: string;
}

/** Context for time-dependent rules (Pod scheduling window) and custom rules. */
export interface StatusContext {
  /** Epoch milliseconds. */
  readonly now: number;
  /**
   * `spec.healthCheckExprs` rules: undefined for an object they do not cover; a result replaces
   * every built-in rule (Flux's custom status readers come first).
   */
  readonly custom?: { statusOf(obj: KubeObject): StatusResult | undefined } | undefined;
}

/** InProgress with the reason it is not done yet. */
export const inProgress = (reason: string, message: string): StatusResult => ({
  status: "InProgress",
  reason,
  message,
});
/** Failed: will not become Current without a change. */
export const failed = (reason: string, message: string): StatusResult => ({
  status: "Failed",
  reason,
  message,
});
/** Current: reconciled and healthy. */
export const current = (message: string): StatusResult => ({ status: "Current", message });
