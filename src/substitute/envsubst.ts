/**
 * Expands `${...}` expressions in a text the way Flux's post-build substitution does.
 *
 * Kept apart from the Kubernetes-aware layer (`substitute.ts`) so the syntax can be tested on
 * plain strings.
 */
import { applyOperator, toleratesUnset } from "./functions.js";
import { type ExpansionNode, parseExpansions } from "./parse.js";

export { SubstitutionSyntaxError } from "./parse.js";

/** Looks a variable up; `undefined` means "not set" (an error in strict mode). */
export type VariableLookup = (name: string) => string | undefined;

/** A variable referenced without a default while strict mode is on. */
export class UnsetVariableError extends Error {
  override readonly name = "UnsetVariableError";
  constructor(readonly variable: string) {
    super(`variable not set (strict mode): ${JSON.stringify(variable)}`);
  }
}

function evaluate(node: ExpansionNode, lookup: VariableLookup): string {
  if (node.kind === "text") return node.value;
  // Arguments are expanded first, even when unused, so `${set:-${unset}}` fails in strict mode.
  const args = node.args.map((a) => evaluate(a, lookup));
  const value = lookup(node.param);
  if (value === undefined && !toleratesUnset(node.op)) throw new UnsetVariableError(node.param);
  return applyOperator(node.op, value ?? "", args);
}

/**
 * Expands every `${...}` in `text`. With `strict`, a variable missing from `vars` and used
 * without a default throws {@link UnsetVariableError}; otherwise it expands to "". A malformed
 * expression throws `SubstitutionSyntaxError`.
 */
export function expand(text: string, vars: ReadonlyMap<string, string>, strict: boolean): string {
  const lookup: VariableLookup = strict ? (n) => vars.get(n) : (n) => vars.get(n) ?? "";
  return parseExpansions(text)
    .map((n) => evaluate(n, lookup))
    .join("");
}
