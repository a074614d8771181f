/**
 * The two compile-time checks Flux's `WithCompile` option makes on an expression (cel-go's
 * checker with declared variables and an expected output type), done on the parsed tree because
 * `@bufbuild/cel` does not export its checker:
 *
 * - every free identifier is a declared variable (`undeclared reference to 'x'`);
 * - the expression is statically a `bool`. Like cel-go, a field read from a JSON object is `dyn`,
 *   so `dep.spec.suspend` is refused while `dep.spec.suspend == true` is accepted.
 */
import type { parse } from "@bufbuild/cel";
import { FUNCTION_NAMESPACES } from "./extensions.js";

/** A node of the parsed tree. */
export type CelExpr = ReturnType<typeof parse>["expr"];

/** Type names usable as values (`type(x) == string`). */
const TYPE_IDENTS = new Set([
  "bool",
  "int",
  "uint",
  "double",
  "string",
  "bytes",
  "list",
  "map",
  "null_type",
  "type",
  "dyn",
]);

/** Functions whose result is `bool` whatever their arguments. */
const BOOL_FUNCTIONS = new Set([
  "_==_",
  "_!=_",
  "_<_",
  "_<=_",
  "_>_",
  "_>=_",
  "_&&_",
  "_||_",
  "!_",
  "@in",
  "@not_strictly_false",
  "contains",
  "startsWith",
  "endsWith",
  "matches",
  "bool",
  "sets.contains",
  "sets.equivalent",
  "sets.intersects",
]);

function children(e: CelExpr): CelExpr[] {
  const k = e.exprKind;
  switch (k.case) {
    case "selectExpr":
      return k.value.operand ? [k.value.operand] : [];
    case "callExpr":
      return [...(k.value.target ? [k.value.target] : []), ...k.value.args];
    case "listExpr":
      return k.value.elements;
    case "structExpr":
      return k.value.entries.flatMap((en) => [
        ...(en.keyKind.case === "mapKey" ? [en.keyKind.value] : []),
        ...(en.value ? [en.value] : []),
      ]);
    default:
      return [];
  }
}

const isNamespaceCall = (e: CelExpr, child: CelExpr): boolean =>
  e.exprKind.case === "callExpr" &&
  e.exprKind.value.target === child &&
  child.exprKind.case === "identExpr" &&
  FUNCTION_NAMESPACES.has(child.exprKind.value.name);

type Comprehension = Extract<CelExpr["exprKind"], { case: "comprehensionExpr" }>["value"];

/** A comprehension's range and initial value see the outer scope; the rest also its variables. */
function undeclaredInComprehension(
  c: Comprehension,
  declared: ReadonlySet<string>,
  bound: ReadonlySet<string>,
): string | undefined {
  const inner = new Set([...bound, c.iterVar, c.iterVar2, c.accuVar].filter((n) => n !== ""));
  const outer = [c.iterRange, c.accuInit].filter((x) => x !== undefined);
  const scoped = [c.loopCondition, c.loopStep, c.result].filter((x) => x !== undefined);
  return (
    outer.map((x) => undeclaredReference(x, declared, bound)).find((n) => n !== undefined) ??
    scoped.map((x) => undeclaredReference(x, declared, inner)).find((n) => n !== undefined)
  );
}

/** The first identifier that is neither declared, bound by a macro, nor a type name. */
export function undeclaredReference(
  e: CelExpr,
  declared: ReadonlySet<string>,
  bound: ReadonlySet<string> = new Set(),
): string | undefined {
  const k = e.exprKind;
  if (k.case === "identExpr") {
    const name = k.value.name;
    return declared.has(name) || bound.has(name) || TYPE_IDENTS.has(name) ? undefined : name;
  }
  if (k.case === "comprehensionExpr") return undeclaredInComprehension(k.value, declared, bound);
  return children(e)
    .filter((child) => !isNamespaceCall(e, child))
    .map((child) => undeclaredReference(child, declared, bound))
    .find((n) => n !== undefined);
}

function constantType(e: CelExpr): string {
  if (e.exprKind.case !== "constExpr") return "dyn";
  const kind = e.exprKind.value.constantKind.case;
  const names: Record<string, string> = {
    boolValue: "bool",
    int64Value: "int",
    uint64Value: "uint",
    doubleValue: "double",
    stringValue: "string",
    bytesValue: "bytes",
    nullValue: "null_type",
  };
  return kind === undefined ? "dyn" : (names[kind] ?? "dyn");
}

function callType(e: CelExpr, accumulators: Accumulators): string {
  if (e.exprKind.case !== "callExpr") return "dyn";
  const { function: fn, args } = e.exprKind.value;
  if (BOOL_FUNCTIONS.has(fn)) return "bool";
  if (fn !== "_?_:_" || args.length !== 3) return "dyn";
  const [a, b] = [args[1], args[2]].map((x) => (x ? staticType(x, accumulators) : "dyn"));
  return a === b ? (a ?? "dyn") : "dyn";
}

type Accumulators = ReadonlyMap<string, string>;
type Kind = NonNullable<CelExpr["exprKind"]["case"]>;
type NodeOf<K extends Kind> = Extract<CelExpr["exprKind"], { case: K }>["value"];

/** The type of each kind of node (constants and calls have their own functions). */
const NODE_TYPES: { [K in Kind]?: (node: NodeOf<K>, accumulators: Accumulators) => string } = {
  identExpr: (node, accumulators) => accumulators.get(node.name) ?? "dyn",
  selectExpr: (node) => (node.testOnly ? "bool" : "dyn"),
  listExpr: () => "list",
  structExpr: (node) => (node.messageName === "" ? "map" : node.messageName),
  comprehensionExpr: (node, accumulators) => comprehensionType(node, accumulators),
};

/** The static type of an expression as far as it can be known without a schema. */
export function staticType(e: CelExpr, accumulators: Accumulators = new Map()): string {
  const k = e.exprKind;
  if (k.case === "constExpr") return constantType(e);
  if (k.case === "callExpr") return callType(e, accumulators);
  if (k.case === undefined) return "dyn";
  const typeOf = NODE_TYPES[k.case] as ((node: unknown, a: Accumulators) => string) | undefined;
  return typeOf === undefined ? "dyn" : typeOf(k.value, accumulators);
}

/** A macro's type is its result's, where the accumulator has its initial value's type. */
function comprehensionType(c: Comprehension, accumulators: Accumulators): string {
  const accu = c.accuInit ? staticType(c.accuInit, accumulators) : "dyn";
  const inner = new Map([...accumulators, [c.accuVar, accu]]);
  return c.result ? staticType(c.result, inner) : "dyn";
}
