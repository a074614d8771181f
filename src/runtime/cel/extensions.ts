/**
 * The CEL library functions Flux's environment has beyond the standard ones and `@bufbuild/cel`'s
 * `strings` extension (fluxcd/pkg runtime/cel: `ext.Sets()`, `ext.Encoders()`), so expressions
 * written for Flux evaluate the same here.
 *
 * The set functions are themselves small CEL programs: they reuse the evaluator's own `in`
 * equality (heterogeneous numbers, nested lists and maps) instead of a second implementation.
 */
import {
  type CelFunc,
  type CelInput,
  CelScalar,
  celEnv,
  celFunc,
  isCelError,
  listType,
  parse,
  plan,
} from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

const LIST = listType(CelScalar.DYN);
const baseEnv = celEnv({ funcs: strings });

function predicate(source: string): (a: CelInput, b: CelInput) => boolean {
  const program = plan(baseEnv, parse(source));
  return (a, b) => {
    const result = program({ a, b });
    if (isCelError(result)) throw result;
    return result === true;
  };
}

const containsAll = predicate("b.all(x, x in a)");
const sharesOne = predicate("b.exists(x, x in a)");

/** `sets.contains`, `sets.equivalent`, `sets.intersects` (cel-go `ext.Sets`). */
const sets: CelFunc[] = [
  celFunc("sets.contains", [LIST, LIST], CelScalar.BOOL, (a, b) => containsAll(a, b)),
  celFunc("sets.equivalent", [LIST, LIST], CelScalar.BOOL, (a, b) => containsAll(a, b) && containsAll(b, a)),
  celFunc("sets.intersects", [LIST, LIST], CelScalar.BOOL, (a, b) => sharesOne(a, b)),
];

/** `base64.encode(bytes)` and `base64.decode(string)` (cel-go `ext.Encoders`). */
const encoders: CelFunc[] = [
  celFunc("base64.encode", [CelScalar.BYTES], CelScalar.STRING, (b) => Buffer.from(b).toString("base64")),
  celFunc("base64.decode", [CelScalar.STRING], CelScalar.BYTES, (s) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new Error("illegal base64 data");
    return new Uint8Array(Buffer.from(s, "base64"));
  }),
];

/** Every function the mooring CEL environment offers besides the standard library. */
export const CEL_EXTENSIONS: readonly CelFunc[] = [...strings, ...sets, ...encoders];

/** Receivers that name a function namespace (`sets.contains(...)`), not a variable. */
export const FUNCTION_NAMESPACES: ReadonlySet<string> = new Set(["sets", "base64"]);
