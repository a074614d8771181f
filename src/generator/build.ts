/**
 * Building one ArtifactGenerator output (source-watcher's builder): run its copy operations into a
 * staging directory, name the file after the content hash, and archive it reproducibly into the
 * shared artifact store as `externalartifact/<ns>/<name>/<hash>.tar.gz`. The revision is
 * `latest@<digest of the tarball>`: it depends on the content only, so a source commit that does
 * not touch what this output copies leaves it unchanged.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import ignore from "ignore";
import { type Artifact, EXTERNAL_ARTIFACT, type OutputArtifact } from "../api/index.js";
import { VCS_PATTERNS, type IgnoreMatcher } from "../source/ignore.js";
import type { ArtifactStorage } from "../source/storage.js";
import { applyCopyOperations } from "./copy.js";
import { contentHash } from "./dirhash.js";

/** Everything a build reads and writes. */
export interface BuildContext {
  /** Extracted source artifacts by alias. */
  readonly sources: ReadonlyMap<string, string>;
  /** Scratch directory of this reconcile; staging directories go below it. */
  readonly workDir: string;
  readonly namespace: string;
  readonly storage: ArtifactStorage;
  /** Cap on the unpacked size of each archive the Extract strategy opens. */
  readonly maxExtractBytes: number;
  readonly now: Date;
}

/** Flux archives generated artifacts with the VCS excludes only (`.git/`, `.gitignore`, …). */
function vcsFilter(): IgnoreMatcher {
  const ig = ignore().add([...VCS_PATTERNS]);
  return { ignores: (rel, isDir) => ig.ignores(isDir ? `${rel}/` : rel) };
}

/** Builds `output` and stores it; returns its artifact (revision `latest@<digest>`). */
export async function buildOutput(output: OutputArtifact, ctx: BuildContext): Promise<Artifact> {
  const staging = join(ctx.workDir, "outputs", output.name);
  await mkdir(staging, { recursive: true });
  await applyCopyOperations(output.copy, {
    sources: ctx.sources,
    staging,
    maxExtractBytes: ctx.maxExtractBytes,
  }).catch((err: unknown) => {
    throw new Error(`failed to apply copy operations: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  });
  const hash = await contentHash(staging, output.name);
  const path = ctx.storage.artifactPath(EXTERNAL_ARTIFACT.kind, ctx.namespace, output.name, `${hash}.tar.gz`);
  await ctx.storage.ensureDir(path.slice(0, path.lastIndexOf("/")));
  const unlock = await ctx.storage.lock(path);
  try {
    const { digest, size } = await ctx.storage.archive(staging, path, vcsFilter());
    return {
      path,
      url: ctx.storage.url(path),
      revision: `latest@${digest}`,
      digest,
      lastUpdateTime: ctx.now.toISOString().replace(/\.\d+Z$/, "Z"),
      size,
    };
  } finally {
    await unlock();
  }
}
