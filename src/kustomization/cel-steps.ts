/**
 * The Kustomization's two CEL fields (flux-compat §3.4 steps 2–3), with kustomize-controller's
 * outcomes: an expression that does not compile stalls the object (`InvalidCELExpression`, the
 * terminal-error message prefix); an expression that fails while evaluating, or a readyExpr that
 * is false, is a dependency that is not ready yet.
 */
import {
  type DependencyReference,
  type Kustomization,
  Reason,
  STALLED_MESSAGE_PREFIX,
} from "../api/index.js";
import { CustomHealthChecks } from "../apply/health/cel-status.js";
import { CelExpression, CelParseError } from "../runtime/cel/expression.js";
import { StallingError } from "../runtime/errors.js";

const invalid = (message: string, cause: unknown): StallingError =>
  new StallingError(Reason.InvalidCELExpression, `${STALLED_MESSAGE_PREFIX}: ${message}`, { cause });

/**
 * Compiles `spec.healthCheckExprs` before anything else runs; throws Stalled
 * `InvalidCELExpression` when a rule does not parse or a group/kind has two rules.
 */
export function compileHealthCheckExprs(ks: Kustomization): CustomHealthChecks {
  try {
    return CustomHealthChecks.compile(ks.spec.healthCheckExprs);
  } catch (err) {
    throw invalid((err as Error).message, err);
  }
}

/**
 * Evaluates `dependsOn[].readyExpr` with `self` (this Kustomization) and `dep` (the dependency),
 * compiled as Flux does: only those two variables, and a `bool` result. Throws Stalled
 * `InvalidCELExpression` when it does not compile, `CelEvaluationError` when evaluation fails.
 */
export function readyExprHolds(ref: DependencyReference, self: Kustomization, dep: Kustomization): boolean {
  const source = ref.readyExpr ?? "";
  let expr: CelExpression;
  try {
    expr = CelExpression.compile(source, { variables: ["self", "dep"], boolOutput: true });
  } catch (err) {
    if (!(err instanceof CelParseError)) throw err;
    throw invalid(`failed to evaluate dependency ${ref.name}: ${err.message}`, err);
  }
  return expr.evaluateBoolean({ self, dep });
}
