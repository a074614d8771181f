import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import type { Kustomization } from "../../api/index.js";
import type { KubeObject } from "../../apply/types.js";
import { build, render } from "../../kustomize/index.js";
import { secureJoin } from "../../kustomization/artifact-fetch.js";
import { buildManifests, type ConfigDataReader } from "../../kustomization/build-manifests.js";
import { withScratchCopy } from "../../kustomization/flux-wrapper.js";
import { CliError, type CliIo } from "../context.js";

/** Options of `mooring build`. */
export interface BuildCommandOptions {
  /** A Kustomization manifest: render as that Kustomization would. */
  kustomization?: string;
  /** ConfigMap/Secret manifests standing in for the cluster's `substituteFrom` objects. */
  substituteFrom?: string[];
}

/**
 * `mooring build <dir>`: prints the rendered stream exactly as `kubectl kustomize <dir>` would,
 * through the engine the controller uses. With `--kustomization ks.yaml`, `<dir>` is the source
 * root and the build is the controller's own (Flux's wrapper, spec.path, patches, images,
 * post-build substitution with `substituteFrom` values read from local manifests). Any failure
 * exits non-zero with the error on stderr and nothing on stdout.
 */
export async function buildCommand(dir: string, options: BuildCommandOptions, io: CliIo): Promise<number> {
  if (!options.kustomization) {
    io.stdout(render(await build(resolve(dir))));
    return 0;
  }
  const ks = await readKustomization(options.kustomization);
  const readConfig = await localConfigReader(options.substituteFrom ?? []);
  const objects = await withScratchCopy(resolve(dir), async (root) => {
    const path = secureJoin(root, ks.spec.path ?? "");
    if (!(await stat(path).catch(() => undefined))?.isDirectory()) {
      throw new CliError(`kustomization path not found: ${ks.spec.path ?? "."} in ${dir}`);
    }
    return buildManifests({ root, dir: path }, { ks, readConfig, strictSubstitution: true, retryAfterMs: 0 });
  });
  io.stdout(objects.map((o: KubeObject) => stringify(o)).join("---\n"));
  return 0;
}

async function readKustomization(file: string): Promise<Kustomization> {
  const doc = parse(await readFile(file, "utf8")) as Partial<Kustomization> | null;
  if (doc?.kind !== "Kustomization" || !doc.spec) {
    throw new CliError(
      `${file} is not a kustomize.toolkit.fluxcd.io Kustomization (kind: Kustomization with a spec)`,
      2,
    );
  }
  return doc as Kustomization;
}

/** Reads `substituteFrom` values from ConfigMap and Secret manifests given on the command line. */
async function localConfigReader(files: string[]): Promise<ConfigDataReader> {
  const found = new Map<string, Record<string, string>>();
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, "utf8"))) {
      const obj = doc.toJS() as {
        kind?: string;
        metadata?: { name?: string };
        data?: Record<string, string>;
        stringData?: Record<string, string>;
      } | null;
      if ((obj?.kind !== "ConfigMap" && obj?.kind !== "Secret") || !obj.metadata?.name) continue;
      found.set(`${obj.kind}/${obj.metadata.name}`, {
        ...obj.data,
        ...asData(obj.kind, obj.stringData ?? {}),
      });
    }
  }
  return (kind, name) => Promise.resolve(found.get(`${kind}/${name}`));
}

/** The reader hands over `data` as the API serves it: Secret values base64-encoded. */
function asData(kind: "ConfigMap" | "Secret", stringData: Record<string, string>): Record<string, string> {
  if (kind === "ConfigMap") return stringData;
  return Object.fromEntries(
    Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")]),
  );
}
