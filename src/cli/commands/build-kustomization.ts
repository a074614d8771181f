import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import type { Kustomization } from "../../api/index.js";
import type { KubeObject } from "../../apply/types.js";
import { secureJoin } from "../../kustomization/artifact-fetch.js";
import { buildManifests, type ConfigDataReader } from "../../kustomization/build-manifests.js";
import { withScratchCopy } from "../../kustomization/flux-wrapper.js";
import { CliError } from "../errors.js";

/**
 * `mooring build <dir> --kustomization ks.yaml`: renders `<dir>` (the source root) as that
 * Kustomization would in the controller, and returns the stream to print.
 */
export async function buildAsKustomization(
  dir: string,
  file: string,
  substituteFrom: string[],
): Promise<string> {
  const ks = await readKustomization(file);
  const readConfig = await localConfigReader(substituteFrom);
  const objects = await withScratchCopy(resolve(dir), async (root) => {
    const path = secureJoin(root, ks.spec.path ?? "");
    if (!(await stat(path).catch(() => undefined))?.isDirectory()) {
      throw new CliError(`kustomization path not found: ${ks.spec.path ?? "."} in ${dir}`);
    }
    return buildManifests({ root, dir: path }, { ks, readConfig, strictSubstitution: true, retryAfterMs: 0 });
  });
  return objects.map((o: KubeObject) => stringify(o)).join("---\n");
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
