import { isMap, YAMLMap } from "yaml";
import type { Accumulator } from "../accumulator.js";
import type { Target } from "../build.js";
import { KustomizeError } from "../errors.js";
import { deleteIn, getIn, getMapPath, newStringScalar, resIdString, setIn, stringMap, type Resource } from "../resource.js";
import { joinOrigin } from "../origin.js";
import { idEquals } from "../transformers/ids.js";
import { generate, type GeneratorKind } from "./generate.js";

function setMap(res: Resource, path: string[], values: Map<string, string>): void {
  const parent = path.length === 1 ? res.node : getMapPath(res.node, path.slice(0, -1), true)!;
  const key = path[path.length - 1]!;
  if (values.size === 0) {
    deleteIn(parent, key);
    return;
  }
  const m = new YAMLMap();
  for (const [k, v] of values) setIn(m, k, newStringScalar(v));
  setIn(parent, key, m);
}

const merged = (a: Map<string, string>, b: Map<string, string>): Map<string, string> => new Map([...a, ...b]);

/** Copies name, namespace, labels, annotations and build history from the object being replaced. */
function copyMeta(res: Resource, old: Resource): void {
  setMap(res, ["metadata", "labels"], merged(old.labels(), res.labels()));
  setMap(res, ["metadata", "annotations"], merged(old.annotations(), res.annotations()));
  res.setName(old.name());
  if (old.namespace() !== "") res.setNamespace(old.namespace());
  else deleteIn(res.metadata(true)!, "namespace");
  res.previousIds.push(...old.previousIds);
  res.prefixes.push(...old.prefixes);
  res.suffixes.push(...old.suffixes);
  res.needsHash = res.needsHash && old.needsHash;
}

function mergeData(res: Resource, old: Resource, field: string): void {
  const a = stringMap(getIn(old.node, field));
  const b = stringMap(getIn(res.node, field));
  const m = merged(a, b);
  if (m.size === 0 && !isMap(getIn(res.node, field))) return;
  setMap(res, [field], m);
}

/** Adds a generated object, or merges/replaces the existing one its behaviour names. */
export function absorb(ra: Accumulator, res: Resource, source: string): void {
  const id = res.id();
  const matches = ra.resources.filter((r) => idEquals(r.id(), id) || r.previousIds.some((p) => idEquals(p, id)));
  if (matches.length > 1) {
    throw new KustomizeError(`found multiple objects that could accept merge of ${resIdString(id)}`, { file: source });
  }
  const old = matches[0];
  const behavior = res.behavior ?? "create";
  if (!old) {
    if (behavior === "merge" || behavior === "replace") {
      throw new KustomizeError(`id ${resIdString(id)} does not exist; cannot merge or replace`, { file: source });
    }
    ra.resources.push(res);
    return;
  }
  if (behavior !== "merge" && behavior !== "replace") {
    throw new KustomizeError(
      `id ${resIdString(id)} exists; can not use behavior: '${behavior}', behavior must be merge or replace`,
      { file: source },
    );
  }
  copyMeta(res, old);
  if (behavior === "merge" && old.originInfo) res.originInfo = old.originInfo;
  res.originInfo ??= old.originInfo;
  if (behavior === "merge") {
    mergeData(res, old, "data");
    mergeData(res, old, "binaryData");
  }
  ra.resources[ra.resources.indexOf(old)] = res;
}

/** Runs configMapGenerator then secretGenerator entries of a kustomization, in order. */
export function runGenerators(t: Target, ra: Accumulator): void {
  const kinds: Array<[GeneratorKind, typeof t.k.configMapGenerator]> = [
    ["ConfigMap", t.k.configMapGenerator],
    ["Secret", t.k.secretGenerator],
  ];
  for (const [kind, list] of kinds) {
    for (const args of list ?? []) {
      const res = generate(kind, t.ldr, args, t.k.generatorOptions);
      if (t.originPath !== undefined) {
        res.originInfo = {
          configuredIn: joinOrigin(t.originPath, t.fileName),
          configuredBy: { apiVersion: "builtin", kind: `${kind}Generator` },
        };
      }
      absorb(ra, res, t.file);
    }
  }
}
