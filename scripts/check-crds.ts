/**
 * Compares mooring's CRDs with Flux's, ignoring descriptions, so a Flux API change (a new field,
 * pattern or enum value) shows up as a short list of differences instead of a 900-line diff.
 *
 *   npx tsx scripts/check-crds.ts <flux-crd.yaml> <our-crd.yaml>
 *
 * Get Flux's files from fluxcd/source-controller and fluxcd/kustomize-controller
 * (config/crd/bases). Exit code 0 when the schemas agree, 1 when they differ.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";

/** Metadata that legitimately differs between Flux's generated CRDs and ours. */
const IGNORED_PATHS = new Set([
  "/metadata/labels",
  "/metadata/annotations/controller-gen.kubebuilder.io/version",
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Drops every `description` key, recursively: prose is ours, structure must be Flux's. */
export function withoutDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDescriptions);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== "description")
      .map(([k, v]) => [k, withoutDescriptions(v)]),
  );
}

/** Lists differences between `flux` and `ours` as `<path>: <what>` lines. */
export function schemaDiff(flux: unknown, ours: unknown, path = ""): string[] {
  if (IGNORED_PATHS.has(path)) return [];
  if (isRecord(flux) && isRecord(ours)) {
    const keys = [...new Set([...Object.keys(flux), ...Object.keys(ours)])].sort();
    return keys.flatMap((k) => {
      const p = `${path}/${k}`;
      if (IGNORED_PATHS.has(p)) return [];
      if (!(k in ours)) return [`${p}: missing in ours (Flux has ${JSON.stringify(flux[k])})`];
      if (!(k in flux)) return [`${p}: only in ours (${JSON.stringify(ours[k])})`];
      return schemaDiff(flux[k], ours[k], p);
    });
  }
  if (Array.isArray(flux) && Array.isArray(ours) && flux.length === ours.length) {
    return flux.flatMap((f, i) => schemaDiff(f, ours[i], `${path}[${i}]`));
  }
  const a = JSON.stringify(flux);
  const b = JSON.stringify(ours);
  return a === b ? [] : [`${path}: Flux ${a}, ours ${b}`];
}

function main(args: string[]): number {
  const [fluxFile, ourFile] = args;
  if (!fluxFile || !ourFile) {
    console.error("usage: tsx scripts/check-crds.ts <flux-crd.yaml> <our-crd.yaml>");
    return 2;
  }
  const load = (f: string): unknown => withoutDescriptions(parse(readFileSync(f, "utf8")));
  const diffs = schemaDiff(load(fluxFile), load(ourFile));
  for (const d of diffs) console.log(d);
  console.log(diffs.length === 0 ? "schemas agree" : `${diffs.length} difference(s)`);
  return diffs.length === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  process.exitCode = main(process.argv.slice(2));
