import { parseDocument, YAMLMap } from "yaml";
import { KustomizeError } from "../errors.js";
import type { GeneratorArgs, GeneratorOptions } from "../kustomization.js";
import type { Loader } from "../loader.js";
import { getMapPath, newPlainScalar, newStringScalar, Resource, setIn } from "../resource.js";
import { collectKeyValues } from "./sources.js";

/** Which generator: ConfigMaps keep text in `data`; Secrets base64 everything. */
export type GeneratorKind = "ConfigMap" | "Secret";

/** Merges kustomization-wide generatorOptions with a generator's own (own labels/annotations win). */
export function mergeOptions(local: GeneratorOptions | undefined, global: GeneratorOptions | undefined): GeneratorOptions {
  if (!global) return local ?? {};
  const l = local ?? {};
  return {
    labels: { ...(global.labels ?? {}), ...(l.labels ?? {}) },
    annotations: { ...(global.annotations ?? {}), ...(l.annotations ?? {}) },
    // Go booleans cannot say "unset": either side set to true wins.
    disableNameSuffixHash: l.disableNameSuffixHash === true || global.disableNameSuffixHash === true,
    immutable: l.immutable === true || global.immutable === true,
  };
}

/** kustomize wraps long Secret values: 70-character lines, each ending in a newline. */
function wrapBase64(b64: string): string {
  if (b64.length < 70) return b64;
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 70) lines.push(b64.slice(i, i + 70) + "\n");
  return lines.join("");
}

function setStringMap(md: YAMLMap, field: string, values: Record<string, string> | undefined): void {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return;
  const map = getMapPath(md, [field], true)!;
  for (const [k, v] of entries) setIn(map, k, newStringScalar(String(v)));
}

/**
 * Runs one configMapGenerator/secretGenerator entry: a new resource with the collected keys,
 * options applied, flagged for the content-hash suffix unless disabled.
 */
export function generate(kind: GeneratorKind, ldr: Loader, args: GeneratorArgs, global: GeneratorOptions | undefined): Resource {
  const name = args.name ?? "";
  // kustomize's makeBaseNode says "configmap" for Secrets too.
  if (name === "") throw new KustomizeError("a configmap must have a name", { file: ldr.display(ldr.dir) });
  const base = parseDocument(`apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: x\n`, { schema: "failsafe" });
  const node = base.contents as YAMLMap;
  const res = new Resource(node, ldr.display(ldr.dir));
  res.setName(name);
  if (args.namespace) res.setNamespace(args.namespace);
  const kvs = collectKeyValues(ldr, args);
  const data = new YAMLMap();
  const binary = new YAMLMap();
  const seen = new Set<string>();
  for (const kv of kvs) {
    if (seen.has(kv.key)) {
      throw new KustomizeError(`configmap ${name} illegally repeats the key \`${kv.key}\``, {
        file: ldr.display(ldr.dir),
      });
    }
    seen.add(kv.key);
    if (kind === "Secret") {
      const b64 = wrapBase64((kv.binary ?? Buffer.from(kv.value, "utf8")).toString("base64"));
      setIn(data, kv.key, newStringScalar(b64));
    } else if (kv.binary) setIn(binary, kv.key, newStringScalar(kv.binary.toString("base64")));
    else setIn(data, kv.key, newStringScalar(kv.value));
  }
  // kyaml's LoadMapIntoSecretData creates `data` before adding keys: a Secret always has one
  // (`data: {}` when empty, which its hash covers too); a ConfigMap only when it has keys.
  if (data.items.length > 0 || kind === "Secret") setIn(node, "data", data);
  if (binary.items.length > 0) setIn(node, "binaryData", binary);
  if (kind === "Secret") setIn(node, "type", newStringScalar(args.type ?? "Opaque"));
  const opts = mergeOptions(args.options, global);
  const md = res.metadata(true)!;
  setStringMap(md, "labels", opts.labels);
  setStringMap(md, "annotations", opts.annotations);
  if (opts.immutable) setIn(node, "immutable", newPlainScalar("true"));
  res.behavior = args.behavior ?? "create";
  res.needsHash = opts.disableNameSuffixHash !== true;
  return res;
}
