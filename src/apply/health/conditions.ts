/** Reading `status` fields the way kstatus does (integers only, conditions as plain records). */
import { isJsonObject } from "../../util/kube-object.js";

/** One `status.conditions[]` entry. */
export interface BasicCondition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

/** The value at a dotted path, or undefined. */
export function getField(obj: unknown, path: string): unknown {
  let node: unknown = obj;
  for (const key of path.split(".")) {
    if (!isJsonObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** An integer field, or `fallback` when absent or not an integer (kstatus' GetIntField). */
export function getInt(obj: unknown, path: string, fallback: number): number {
  const v = getField(obj, path);
  return typeof v === "number" && Number.isInteger(v) ? v : fallback;
}

/** A string field, or `fallback`. */
export function getString(obj: unknown, path: string, fallback: string): string {
  const v = getField(obj, path);
  return typeof v === "string" ? v : fallback;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** `status.conditions` as typed records (malformed entries become empty strings). */
export function conditionsOf(obj: unknown): BasicCondition[] {
  const list = getField(obj, "status.conditions");
  if (!Array.isArray(list)) return [];
  return list.filter(isJsonObject).map((c) => ({
    type: str(c.type),
    status: str(c.status),
    reason: str(c.reason),
    message: str(c.message),
  }));
}

/** The first condition of a type with a status, if any. */
export function findCondition(obj: unknown, type: string, status?: string): BasicCondition | undefined {
  return conditionsOf(obj).find((c) => c.type === type && (status === undefined || c.status === status));
}
