/**
 * Flux's wrapper around kustomize (flux-compat §4.7): make sure the Kustomization's path has a
 * kustomization file (generating one when it has none), then merge the Kustomization spec's
 * `targetNamespace`, `namePrefix`/`nameSuffix`, `patches`, `images`, `components` and
 * `buildMetadata` into it. The file is rewritten in place, so callers hand in a scratch tree
 * (the extracted artifact, or {@link withScratchCopy}); a user's checkout is never modified.
 * `commonMetadata` is not part of this: Flux stamps it on the objects after the build.
 */
import { cp, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Document, isMap, parseDocument } from "yaml";
import type { Image, KustomizationSpec, Patch, Selector } from "../api/index.js";
import { isRemoteReference } from "../kustomize/remote.js";
import { type BuildLimits, UNLIMITED } from "../kustomize/limits.js";
import {
  displayPath,
  findKustomizationFile,
  generateKustomization,
  perFileOnly,
  WrapperError,
} from "./generate-kustomization.js";

export { WrapperError } from "./generate-kustomization.js";

/** The spec fields the wrapper merges. */
export type WrapperSpec = Pick<
  KustomizationSpec,
  | "targetNamespace"
  | "namePrefix"
  | "nameSuffix"
  | "patches"
  | "images"
  | "components"
  | "ignoreMissingComponents"
  | "buildMetadata"
>;

/** What the wrapper did. */
export interface WrapResult {
  /** Path of the kustomization file that was written. */
  readonly file: string;
  /** Whether the file was generated (the path had none). */
  readonly generated: boolean;
}

/** Flux accepts only local relative component paths (no URLs, no absolute paths). */
export function isLocalRelativePath(p: string): boolean {
  if (path.isAbsolute(p) || p.includes("://") || p.startsWith("ssh:")) return false;
  return !isRemoteReference(p);
}

/** A kustomize patch target with only the selector fields that are set (as Go omits empty ones). */
function toTarget(sel: Selector): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [
    "group",
    "version",
    "kind",
    "name",
    "namespace",
    "labelSelector",
    "annotationSelector",
  ] as const) {
    const v = sel[key];
    if (v !== undefined && v !== "") out[key] = v;
  }
  return out;
}

function toPatch(p: Patch): Record<string, unknown> {
  const out: Record<string, unknown> = { patch: p.patch };
  if (p.target !== undefined) out.target = toTarget(p.target);
  return out;
}

const omitEmpty = (img: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(img).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""),
  );

/**
 * Flux's image merge: a spec image whose name is already listed overrides that entry field by
 * field (`newName` when set; `newTag` and `digest` together when either is set, kustomize then
 * prefers the digest); other spec images are appended.
 */
export function mergeImages(
  existing: readonly Record<string, string>[],
  spec: readonly Image[],
): Record<string, string>[] {
  const out = existing.map((e) => ({ ...e }));
  for (const img of spec) {
    const at = out.findIndex((e) => e.name === img.name);
    if (at === -1) {
      out.push(omitEmpty({ name: img.name, newName: img.newName, newTag: img.newTag, digest: img.digest }));
      continue;
    }
    const cur = out[at] ?? { name: img.name };
    const next: Record<string, string | undefined> = { ...cur };
    if (img.newName) next.newName = img.newName;
    if (img.newTag || img.digest) {
      next.newTag = img.newTag;
      next.digest = img.digest;
    }
    out[at] = omitEmpty(next);
  }
  return out;
}

const seqOf = (doc: Document, key: string): unknown[] => {
  const v: unknown = doc.get(key);
  const js: unknown =
    v !== null && typeof v === "object" && "toJSON" in v ? (v as { toJSON(): unknown }).toJSON() : v;
  return Array.isArray(js) ? (js as unknown[]) : [];
};

async function mergeComponents(doc: Document, dir: string, spec: WrapperSpec): Promise<void> {
  const wanted: string[] = [];
  for (const c of spec.components ?? []) {
    if (!isLocalRelativePath(c)) throw new WrapperError(`component path '${c}' is not local`);
    if (spec.ignoreMissingComponents && !(await stat(path.resolve(dir, c)).catch(() => undefined))) continue;
    wanted.push(c);
  }
  if (wanted.length > 0) doc.set("components", [...seqOf(doc, "components"), ...wanted]);
}

/** Merges the spec into a parsed kustomization document (mutates `doc`). */
export async function mergeSpec(doc: Document, dir: string, spec: WrapperSpec): Promise<void> {
  if (spec.targetNamespace) doc.set("namespace", spec.targetNamespace);
  if (spec.namePrefix) doc.set("namePrefix", spec.namePrefix);
  if (spec.nameSuffix) doc.set("nameSuffix", spec.nameSuffix);
  if (spec.patches?.length) doc.set("patches", [...seqOf(doc, "patches"), ...spec.patches.map(toPatch)]);
  if (spec.images?.length) {
    const existing = seqOf(doc, "images").filter(
      (i): i is Record<string, string> => typeof i === "object" && i !== null,
    );
    doc.set("images", mergeImages(existing, spec.images));
  }
  await mergeComponents(doc, dir, spec);
  if (spec.buildMetadata?.length) {
    const merged = new Set([...seqOf(doc, "buildMetadata").map(String), ...spec.buildMetadata]);
    doc.set("buildMetadata", [...merged]);
  }
}

/**
 * Prepares `dir` (inside the scratch tree `root`) for a build: generates the kustomization file
 * when missing, merges the spec into it and writes it back. Throws {@link WrapperError} (or a YAML
 * error naming the file) on invalid input.
 */
export async function wrapKustomization(
  root: string,
  dir: string,
  spec: WrapperSpec,
  limits: BuildLimits = UNLIMITED,
): Promise<WrapResult> {
  const existing = await findKustomizationFile(dir);
  const name = existing ?? "kustomization.yaml";
  const file = path.join(dir, name);
  let doc: Document;
  if (existing === undefined) {
    doc = new Document(await generateKustomization(root, dir, limits));
  } else {
    perFileOnly(limits).read((await stat(file)).size, displayPath(root, file));
    doc = parseDocument(await readFile(file, "utf8"));
    const err = doc.errors[0];
    if (err)
      throw new WrapperError(`${displayPath(root, file)}: ${err.message.split("\n")[0] ?? "invalid YAML"}`);
    if (!isMap(doc.contents)) throw new WrapperError(`${displayPath(root, file)}: not a YAML mapping`);
  }
  await mergeSpec(doc, dir, spec);
  await writeFile(file, doc.toString({ lineWidth: 0 }));
  return { file, generated: existing === undefined };
}

/**
 * Runs `fn` on a scratch copy of `root` (removed afterwards), for callers such as the CLI that
 * build from a directory they must not modify. Symlinks are copied as links; the loader jails them.
 */
export async function withScratchCopy<T>(root: string, fn: (copy: string) => Promise<T>): Promise<T> {
  const scratch = await mkdtemp(path.join(tmpdir(), "mooring-build-"));
  try {
    const copy = path.join(scratch, "src");
    await cp(root, copy, { recursive: true, verbatimSymlinks: true });
    return await fn(copy);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
