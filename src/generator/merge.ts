/**
 * The Merge copy strategy: deep-merge a YAML file into an existing one, as Helm merges values
 * files (and as source-watcher does): every document of each file is folded into one map, maps
 * merge key by key, and anything else (lists included) is replaced by the overlay's value. The
 * result is printed as go-yaml v2 prints it, so the merged file reads like Flux's.
 */
import { readFile, writeFile } from "node:fs/promises";
import { isMap, parseAllDocuments } from "yaml";
import type { GoMap, GoValue } from "../kustomize/output/go-value.js";
import { toGoValue } from "../kustomize/output/go-value.js";
import { marshalV2 } from "../kustomize/output/go-yaml-v2.js";

/** A file that is not a YAML map (or several of them). */
export class MergeError extends Error {
  override readonly name = "MergeError";
}

const isGoMap = (v: GoValue | undefined): v is GoMap => v instanceof Map;

/** Deep merge: `overlay` wins, maps merge recursively, lists and scalars are replaced. */
export function mergeMaps(base: GoMap, overlay: GoMap): GoMap {
  const out: GoMap = new Map(base);
  for (const [key, value] of overlay) {
    const current = out.get(key);
    out.set(key, isGoMap(value) && isGoMap(current) ? mergeMaps(current, value) : value);
  }
  return out;
}

/** All documents of a YAML text merged into one map (an empty text is an empty map). */
export function loadYamlMap(text: string): GoMap {
  let out: GoMap = new Map();
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new MergeError(`cannot unmarshal YAML document: ${doc.errors[0]?.message ?? ""}`);
    }
    if (doc.contents === null) continue;
    if (!isMap(doc.contents)) throw new MergeError("cannot unmarshal YAML document: not a map");
    out = mergeMaps(out, toGoValue(doc.contents) as GoMap);
  }
  return out;
}

/** Merges the YAML file `src` into `dest` (which exists), rewriting `dest`. */
export async function mergeYamlFile(src: string, dest: string): Promise<void> {
  const base = loadYamlMap(await readFile(dest, "utf8"));
  const overlay = loadYamlMap(await readFile(src, "utf8"));
  await writeFile(dest, marshalV2(mergeMaps(base, overlay)));
}
