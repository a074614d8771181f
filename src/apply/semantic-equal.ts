/**
 * Equality of JSON values as the drift check needs it: key order never matters, and for label and
 * annotation maps an absent map equals an empty one (Kubernetes' semantic equality).
 */
import { isJsonObject } from "../util/kube-object.js";

/** Deep equality of two JSON values (objects compared by keys, arrays by position). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Equality of two string maps where `undefined`, `null` and `{}` are all "empty". */
export function stringMapEqual(a: Readonly<Record<string, string>> | null | undefined, b: typeof a): boolean {
  return jsonEqual(a ?? {}, b ?? {});
}
