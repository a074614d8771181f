/**
 * The kustomization file Flux generates for a path that has none (flux-compat §4.7): every
 * `*.yaml`/`*.yml` file below the path, recursively in lexical order, except that a directory with
 * its own kustomization file is listed as a directory resource and not descended into. Every
 * listed file must decode as Kubernetes YAML, so a stray non-manifest file fails the build with
 * its name instead of producing a confusing kustomize error later.
 */
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { isMap, parseAllDocuments } from "yaml";
import { BuildBudget, type BuildLimits, UNLIMITED } from "../kustomize/limits.js";

/** Names kustomize accepts for a kustomization file, in the order it looks for them. */
export const KUSTOMIZATION_FILE_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

/** Namespace Flux writes into a generated kustomization of an empty directory. */
export const EMPTY_DIR_NAMESPACE = "_placeholder";

/** A generated or merged kustomization could not be produced; the message names the file. */
export class WrapperError extends Error {
  override readonly name = "WrapperError";
}

/** The kustomization file name present in `dir` (first of kustomize's names), if any. */
export async function findKustomizationFile(dir: string): Promise<string | undefined> {
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const st = await stat(path.join(dir, name)).catch(() => undefined);
    if (st?.isFile()) return name;
  }
  return undefined;
}

/** `root`-relative path for messages (never the temp directory the artifact sits in). */
export function displayPath(root: string, file: string): string {
  const rel = path.relative(root, file);
  return rel === "" ? "." : rel;
}

function isWithin(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * The document as an object, or why it cannot be one: unresolved or excessive aliases (an alias
 * bomb) surface only here, as the yaml package's ReferenceError.
 */
function toObject(doc: ReturnType<typeof parseAllDocuments>[number]): Record<string, unknown> | string {
  try {
    return doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Why one YAML document is not a Kubernetes object, or undefined when it is one (or empty). */
function documentProblem(doc: ReturnType<typeof parseAllDocuments>[number]): string | undefined {
  const err = doc.errors[0];
  if (err) return err.message.split("\n")[0] ?? "invalid YAML";
  const root = doc.contents;
  if (root === null || root === undefined) return undefined;
  if (!isMap(root)) return "a document is not a mapping";
  return root.items.length === 0 ? undefined : objectProblem(doc);
}

/** Why a non-empty mapping document is not a Kubernetes object, or undefined when it is one. */
function objectProblem(doc: ReturnType<typeof parseAllDocuments>[number]): string | undefined {
  const obj = toObject(doc);
  if (typeof obj === "string") return obj;
  const ok = typeof obj.apiVersion === "string" && typeof obj.kind === "string" && obj.kind !== "";
  return ok ? undefined : "missing Resource metadata (apiVersion and kind are required)";
}

/** Throws unless every non-empty document of `text` is a mapping with `apiVersion` and `kind`. */
export function checkKubernetesYaml(text: string, shown: string): void {
  for (const doc of parseAllDocuments(text, { uniqueKeys: false })) {
    const problem = documentProblem(doc);
    if (problem !== undefined)
      throw new WrapperError(`failed to decode Kubernetes YAML from ${shown}: ${problem}`);
  }
}

const isYamlFile = (name: string): boolean => name.endsWith(".yaml") || name.endsWith(".yml");

/** Reads a listed file, following a symlink only when it stays inside `root`. */
async function readListedFile(root: string, file: string, sizes: BuildBudget): Promise<string> {
  const real = await realpath(file);
  if (!isWithin(real, root)) {
    throw new WrapperError(`security; file '${displayPath(root, file)}' resolves outside the source root`);
  }
  sizes.read((await stat(real)).size, displayPath(root, file));
  return readFile(real, "utf8");
}

/**
 * A budget with only the per-file limit: the build that follows reads the listed files again and
 * accounts for totals and objects itself.
 */
export function perFileOnly(limits: BuildLimits): BuildBudget {
  return new BuildBudget({ ...UNLIMITED, maxFileBytes: limits.maxFileBytes });
}

/** Walks `dir` in lexical order, appending resource paths (absolute) to `out`. */
async function scanDir(root: string, dir: string, out: string[], sizes: BuildBudget): Promise<void> {
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    const full = path.join(dir, name);
    const st = await lstat(full);
    if (st.isDirectory()) {
      if ((await findKustomizationFile(full)) !== undefined) out.push(full);
      else await scanDir(root, full, out, sizes);
      continue;
    }
    if (!isYamlFile(name) || !(st.isFile() || st.isSymbolicLink())) continue;
    checkKubernetesYaml(await readListedFile(root, full, sizes), displayPath(root, full));
    out.push(full);
  }
}

/**
 * The kustomization Flux would generate for `dir` (inside `root`): `resources` as `./`-relative
 * paths; an empty directory gets `namespace: _placeholder` so kustomize accepts it.
 */
export async function generateKustomization(
  root: string,
  dir: string,
  limits: BuildLimits = UNLIMITED,
): Promise<Record<string, unknown>> {
  const found: string[] = [];
  await scanDir(root, dir, found, perFileOnly(limits));
  const resources = found.map((f) => `./${path.relative(dir, f).split(path.sep).join("/")}`);
  const k: Record<string, unknown> = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
  };
  if (resources.length === 0) k.namespace = EMPTY_DIR_NAMESPACE;
  else k.resources = resources;
  return k;
}
