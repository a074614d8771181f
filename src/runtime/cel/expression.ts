/**
 * CEL expressions as Flux evaluates them (fluxcd/pkg runtime/cel `NewExpression`), on the
 * conformance-tested `@bufbuild/cel` evaluator: parse once, evaluate many times against plain
 * JSON objects, with Flux's error wording so messages match what Flux users grep for.
 *
 * Differences from Flux's cel-go environment: optional types (`?.`, `optional.of`) are not
 * available; an expression that uses them fails to parse, with the parser's message.
 */
import { type CelInput, celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { type CelExpr, staticType, undeclaredReference } from "./check.js";
import { CEL_EXTENSIONS } from "./extensions.js";

/** An expression that does not parse or check; the message is Flux's. */
export class CelParseError extends Error {
  override name = "CelParseError";
}

/** An expression that failed while evaluating (missing field, wrong type, non-bool result). */
export class CelEvaluationError extends Error {
  override name = "CelEvaluationError";
}

/** How to compile: Flux's `WithCompile` + `WithStructVariables` + `WithOutputType(bool)`. */
export interface CompileOptions {
  /** Variables the expression may use; when set, any other free identifier is an error. */
  readonly variables?: readonly string[];
  /** Require a statically `bool` expression. */
  readonly boolOutput?: boolean;
}

const env = celEnv({ funcs: [...CEL_EXTENSIONS] });

/**
 * JSON numbers as Go's unstructured decoding gives them to CEL: integers are `int`, the rest
 * `double`, so `status.replicas + 1` stays an int as it does in Flux.
 */
export function toCelInput(value: unknown): CelInput {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelInput);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCelInput(v)]));
  }
  return value as CelInput;
}

/** A parsed CEL expression. */
export class CelExpression {
  private constructor(
    readonly source: string,
    private readonly program: (bindings: Record<string, CelInput>) => unknown,
  ) {}

  /** Parses (and with `options`, checks) `source`; throws {@link CelParseError}. */
  static compile(source: string, options: CompileOptions = {}): CelExpression {
    let tree: CelExpr;
    try {
      tree = parse(source).expr;
    } catch (err) {
      throw parseError(source, err instanceof Error ? err.message : String(err));
    }
    checkTree(source, tree, options);
    const program = plan(env, tree);
    return new CelExpression(source, (bindings) => program(bindings));
  }

  /** Evaluates with `variables` (plain JSON values); throws {@link CelEvaluationError}. */
  evaluateBoolean(variables: Readonly<Record<string, unknown>>): boolean {
    const bindings = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, toCelInput(v)]));
    let result: unknown;
    try {
      result = this.program(bindings);
    } catch (err) {
      result = err;
    }
    if (isCelError(result) || result instanceof Error) {
      throw new CelEvaluationError(
        `failed to evaluate the CEL expression '${this.source}': ${result.message}`,
      );
    }
    if (typeof result !== "boolean") {
      throw new CelEvaluationError(`failed to evaluate CEL expression as boolean: '${this.source}'`);
    }
    return result;
  }
}

const parseError = (source: string, issues: string): CelParseError =>
  new CelParseError(`failed to parse the CEL expression '${source}': ${issues}`);

function checkTree(source: string, tree: CelExpr, options: CompileOptions): void {
  if (options.variables !== undefined) {
    const name = undeclaredReference(tree, new Set(options.variables));
    if (name !== undefined) throw parseError(source, `undeclared reference to '${name}'`);
  }
  if (options.boolOutput === true) {
    const type = staticType(tree);
    if (type !== "bool") {
      throw new CelParseError(`CEL expression output type mismatch: expected bool, got ${type}`);
    }
  }
}
