import path from "node:path";
import { isMap, isScalar, YAMLMap } from "yaml";
import { KustomizeError } from "../errors.js";
import type { PatchSchema } from "../openapi/schema.js";
import { compileSelector, selectTargets, type TargetSelector } from "../patch/select.js";
import { getIn, newStringScalar, scalarText, setIn, type Resource } from "../resource.js";
import { isClusterScoped } from "./cluster-scope.js";

/** One target of kustomize's ValueAddTransformer. */
export interface ValueAddTarget {
  selector?: TargetSelector;
  fieldPath?: string;
  filePathPosition?: number;
}

/** Splits a field path on `/`, a trailing backslash joining two parts with a literal slash. */
function fields(fieldPath: string): string[] {
  const out: string[] = [];
  for (const f of fieldPath.split("/")) {
    const last = out[out.length - 1];
    if (last !== undefined && last.endsWith("\\")) out[out.length - 1] = last.slice(0, -1) + "/" + f;
    else out.push(f);
  }
  return out;
}

/** kustomize's filesys.InsertPathPart: puts `part` at position `pos` of a slash path. */
export function insertPathPart(p: string, pos: number, part: string): string {
  if (part === "") return p;
  const parts = p === "" ? [] : p.split("/");
  const at = Math.min(Math.max(pos, 0), parts.length);
  parts.splice(at, 0, part);
  if (parts[0] === "") return "/" + path.posix.join(...parts.slice(1));
  return path.posix.join(...parts);
}

function setField(r: Resource, target: ValueAddTarget, value: string): void {
  const segs = fields(target.fieldPath ?? "");
  let map: YAMLMap = r.node;
  for (const seg of segs.slice(0, -1)) {
    let next = getIn(map, seg);
    if (!isMap(next)) {
      next = new YAMLMap();
      setIn(map, seg, next);
    }
    map = next as YAMLMap;
  }
  const key = segs[segs.length - 1]!;
  const old = getIn(map, key);
  if (old !== undefined && !isScalar(old)) throw new KustomizeError(`ValueAddTransformer: ${target.fieldPath} is not a scalar`);
  const pos = target.filePathPosition ?? 0;
  const text = pos > 0 ? insertPathPart(scalarText(old) ?? "", pos - 1, value) : value;
  setIn(map, key, newStringScalar(text));
}

/**
 * kustomize's ValueAddTransformer: writes a value (by default the kustomization directory's name)
 * into a field of the selected resources, or inserts it into a path held in that field.
 */
export function applyValueAdd(resources: Resource[], targets: readonly ValueAddTarget[], value: string, schema: PatchSchema): void {
  if (targets.length === 0) throw new KustomizeError("must specify at least one target");
  for (const target of targets) {
    if (!target.fieldPath) throw new KustomizeError("fieldPath cannot be empty");
    const chosen = target.selector
      ? selectTargets(resources, compileSelector(target.selector), (v, k) => schema.isClusterScoped(v, k))
      : resources;
    for (const r of chosen) {
      if (target.fieldPath !== "metadata/namespace") setField(r, target, value);
      else if (!isClusterScoped(r.gvk())) r.setNamespace(value);
    }
  }
}
