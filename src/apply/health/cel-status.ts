/**
 * `spec.healthCheckExprs`: kstatus for custom resources from CEL rules, as Flux computes it
 * (fluxcd/pkg runtime/cel `StatusEvaluator` and `NewStatusReader`, flux-compat §4.8):
 *
 * - a rule applies to a group and kind (`apiVersion`'s version is ignored), or to a whole group
 *   when `kind` is empty; a kind rule wins over its group's rule; two rules for the same
 *   group/kind are an error;
 * - a rule replaces the built-in kstatus rules for its objects entirely;
 * - `status.observedGeneration` differing from `metadata.generation` is InProgress first; then
 *   `inProgress`, `failed`, `current` in that order, the first true one decides; none true is
 *   InProgress. Absent `inProgress`/`failed` are skipped; `current` is required;
 * - expressions see the object's top-level fields as variables (`status.x`, `metadata.name`);
 *   an evaluation error makes the object Unknown with the error as message.
 */
import type { CustomHealthCheck } from "../../api/kustomization-parts.js";
import { CelExpression } from "../../runtime/cel/expression.js";
import { groupOf, type KubeObject } from "../../util/kube-object.js";
import type { StatusResult } from "./result.js";

/** The compiled rules of one group/kind. */
class StatusEvaluator {
  constructor(
    private readonly current: CelExpression,
    private readonly failed: CelExpression | undefined,
    private readonly inProgress: CelExpression | undefined,
  ) {}

  static compile(exprs: CustomHealthCheck): StatusEvaluator {
    if (!exprs.current) throw new Error("expression Current not specified");
    const one = (name: string, source: string | undefined): CelExpression | undefined => {
      if (!source) return undefined;
      try {
        return CelExpression.compile(source);
      } catch (err) {
        throw new Error(`failed to parse the expression ${name}: ${(err as Error).message}`, { cause: err });
      }
    };
    const current = one("Current", exprs.current) as CelExpression;
    return new StatusEvaluator(current, one("Failed", exprs.failed), one("InProgress", exprs.inProgress));
  }

  evaluate(obj: KubeObject): StatusResult {
    const observed = (obj.status as { observedGeneration?: unknown } | undefined)?.observedGeneration;
    const generation = obj.metadata.generation;
    if (typeof observed === "number" && typeof generation === "number" && observed !== generation) {
      return { status: "InProgress", message: "" };
    }
    const order = [
      [this.inProgress, "InProgress"],
      [this.failed, "Failed"],
      [this.current, "Current"],
    ] as const;
    const variables = obj as unknown as Record<string, unknown>;
    try {
      for (const [expr, status] of order) {
        if (expr?.evaluateBoolean(variables)) return { status, message: "" };
      }
    } catch (err) {
      return { status: "Unknown", message: (err as Error).message };
    }
    return { status: "InProgress", message: "" };
  }
}

/** The GroupKind key and its display form (`Kind.group`, `.group` for a whole group). */
function groupKind(apiVersion: string, kind: string): { key: string; shown: string } {
  const group = groupOf(apiVersion);
  return { key: `${group}/${kind}`, shown: group === "" ? kind : `${kind}.${group}` };
}

/** The custom health rules of one Kustomization. */
export class CustomHealthChecks {
  private constructor(private readonly byGroupKind: ReadonlyMap<string, StatusEvaluator>) {}

  /**
   * Compiles `spec.healthCheckExprs`. Throws with Flux's message on a duplicate group/kind or an
   * expression that does not parse (the caller stalls the Kustomization: `InvalidCELExpression`).
   */
  static compile(checks: readonly CustomHealthCheck[] | undefined): CustomHealthChecks {
    const byGroupKind = new Map<string, StatusEvaluator>();
    (checks ?? []).forEach((check, i) => {
      const gk = groupKind(check.apiVersion, check.kind ?? "");
      if (byGroupKind.has(gk.key)) {
        throw new Error(`duplicate custom health check for GroupKind ${gk.shown} at healthchecks[${i}]`);
      }
      try {
        byGroupKind.set(gk.key, StatusEvaluator.compile(check));
      } catch (err) {
        const why = (err as Error).message;
        throw new Error(`failed to create custom status evaluator for healthchecks[${i}]: ${why}`, {
          cause: err,
        });
      }
    });
    return new CustomHealthChecks(byGroupKind);
  }

  /** The status of `obj` by its rule, or undefined when no rule covers its group/kind. */
  statusOf(obj: KubeObject): StatusResult | undefined {
    const group = groupOf(obj.apiVersion);
    const evaluator = this.byGroupKind.get(`${group}/${obj.kind}`) ?? this.byGroupKind.get(`${group}/`);
    return evaluator?.evaluate(obj);
  }
}
