/**
 * RFC 6901 JSON pointers over plain JSON values: what `spec.ignore` paths and the cleanup patch
 * are written in.
 */
import { isJsonObject } from "../util/kube-object.js";

/** Escapes one segment (`~` → `~0`, `/` → `~1`). */
export function escapePointer(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Splits a pointer into unescaped segments (`""` and `"/"`-less input give `[]`). */
export function splitPointer(pointer: string): string[] {
  if (!pointer.startsWith("/")) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Joins unescaped segments into a pointer. */
export function joinPointer(segments: readonly string[]): string {
  return segments.map((s) => "/" + escapePointer(s)).join("");
}

function child(node: unknown, seg: string): { found: boolean; value?: unknown } {
  if (Array.isArray(node) && /^\d+$/.test(seg) && Number(seg) < node.length)
    return { found: true, value: node[Number(seg)] };
  if (isJsonObject(node) && Object.hasOwn(node, seg)) return { found: true, value: node[seg] };
  return { found: false };
}

/** Looks a path up; `found` is false when any segment is missing. */
export function lookupSegments(
  root: unknown,
  segments: readonly string[],
): { found: boolean; value?: unknown } {
  let cur: { found: boolean; value?: unknown } = { found: true, value: root };
  for (const seg of segments) {
    cur = child(cur.value, seg);
    if (!cur.found) return cur;
  }
  return cur;
}

/** {@link lookupSegments} for a pointer string. */
export function lookupPointer(root: unknown, pointer: string): { found: boolean; value?: unknown } {
  return lookupSegments(root, splitPointer(pointer));
}

/** Removes the value at a pointer if present (array items are spliced out). Mutates `root`. */
export function removeAtPointer(root: unknown, pointer: string): void {
  const segments = splitPointer(pointer);
  const last = segments.pop();
  if (last === undefined) return;
  const parent = lookupSegments(root, segments).value;
  if (Array.isArray(parent) && /^\d+$/.test(last)) parent.splice(Number(last), 1);
  else if (isJsonObject(parent)) delete parent[last];
}

/** Sets the value at a pointer whose parent exists (else nothing happens). Mutates `root`. */
export function replaceAtPointer(root: unknown, pointer: string, value: unknown): void {
  const segments = splitPointer(pointer);
  const last = segments.pop();
  if (last === undefined) return;
  const parent = lookupSegments(root, segments).value;
  if (Array.isArray(parent) && /^\d+$/.test(last)) parent[Number(last)] = value;
  else if (isJsonObject(parent)) parent[last] = value;
}
