/**
 * Getting a source artifact onto local disk for one build (flux-compat §2.5): download
 * `status.artifact.url` (retrying connection errors and 5xx), verify its digest, extract it safely
 * into a temp directory, resolve `spec.path` inside it, run the caller's work, and always remove
 * the directory afterwards. A 404 means the source controller has not published the file yet and
 * becomes a wait; anything else is an `ArtifactFailed` error.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { type Artifact, Reason } from "../api/index.js";
import { GenericError, WaitingError } from "../runtime/errors.js";
import { stripUrlCredentials } from "../runtime/sanitize.js";
import { extractTarGz } from "./safe-extract.js";

/** Download and extraction settings (from the controller's frozen options). */
export interface ArtifactFetchOptions {
  /** Retries after the first attempt on connection errors and 5xx (Flux `--http-retry`, 9). */
  readonly retries: number;
  /** First retry wait; doubles up to {@link retryMaxWaitMs}. */
  readonly retryMinWaitMs: number;
  readonly retryMaxWaitMs: number;
  /** Cap on downloaded and on extracted bytes. */
  readonly maxBytes: number;
  /** Requeue delay when the artifact is not there yet (`--requeue-dependency`). */
  readonly requeueDependencyMs: number;
  /** Parent of the per-build temp directories (defaults to the OS temp dir). */
  readonly tmpDir?: string;
}

/** What the caller's work receives. */
export interface FetchedArtifact {
  /** Root of the extracted artifact (a scratch directory: the build may write into it). */
  readonly root: string;
  /** `spec.path` joined securely into {@link root}; exists and is a directory. */
  readonly dir: string;
}

/** Which artifact to fetch and which path inside it the build needs. */
export interface ArtifactRequest {
  readonly artifact: Pick<Artifact, "url" | "digest" | "revision">;
  /** `spec.path`; "" means the artifact root. */
  readonly path: string;
  readonly signal?: AbortSignal;
}

/** Flux's secure join: `..` segments cannot climb above `root` (they are clamped to it). */
export function secureJoin(root: string, rel: string): string {
  const clamped = path.posix.normalize(`/${rel.replaceAll("\\", "/")}`);
  return path.join(root, ...clamped.split("/").filter((s) => s !== ""));
}

/** The expected hex sha256 of an artifact digest (`sha256:<hex>`, or bare hex meaning sha256). */
export function expectedSha256(digest: string): string {
  if (digest === "")
    throw new GenericError(Reason.ArtifactFailed, "artifact has no digest to verify against");
  const [algo, hex] = digest.includes(":") ? digest.split(":", 2) : ["sha256", digest];
  if (algo !== "sha256" || hex === undefined || !/^[0-9a-f]{64}$/i.test(hex)) {
    throw new GenericError(Reason.ArtifactFailed, `unsupported artifact digest '${digest}'`);
  }
  return hex.toLowerCase();
}

class RetryableError extends Error {}

const causeText = (err: unknown): string =>
  err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);

/** Throws the error an unusable response means; returns for a 200 with a body. */
async function checkResponse(
  res: Response,
  url: string,
  opts: ArtifactFetchOptions,
): Promise<ReadableStream<Uint8Array>> {
  if (res.status === 200 && res.body !== null) return res.body;
  await res.body?.cancel();
  if (res.status === 404) {
    throw new WaitingError(Reason.ArtifactFailed, "Source is not ready, artifact not found", {
      requeueAfterMs: opts.requeueDependencyMs,
    });
  }
  if (res.status >= 500) throw new RetryableError(`GET ${url}: server answered ${res.status}`);
  throw new GenericError(
    Reason.ArtifactFailed,
    `failed to download artifact from ${url}, status: ${res.status}`,
  );
}

/** A pass-through that hashes what flows and fails beyond `maxBytes`. */
function meter(maxBytes: number): { stream: Transform; hex: () => string } {
  const hash = createHash("sha256");
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done): void {
      size += chunk.length;
      if (size > maxBytes) {
        done(new GenericError(Reason.ArtifactFailed, `artifact is larger than ${maxBytes} bytes`));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, hex: () => hash.digest("hex") };
}

async function attempt(
  url: string,
  file: string,
  opts: ArtifactFetchOptions,
  signal?: AbortSignal,
): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: signal ?? null });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new RetryableError(`GET ${url}: ${causeText(err)}`);
  }
  const body = await checkResponse(res, url, opts);
  const m = meter(opts.maxBytes);
  await pipeline(Readable.fromWeb(body), m.stream, createWriteStream(file));
  return m.hex();
}

/** Downloads `url` into `file` with retries; returns the hex sha256 of what was written. */
export async function download(
  url: string,
  file: string,
  opts: ArtifactFetchOptions,
  signal?: AbortSignal,
): Promise<string> {
  const shown = stripUrlCredentials(url);
  let wait = opts.retryMinWaitMs;
  for (let n = 0; ; n++) {
    try {
      return await attempt(url, file, opts, signal);
    } catch (err) {
      if (!(err instanceof RetryableError)) throw err;
      if (n >= opts.retries) {
        throw new GenericError(
          Reason.ArtifactFailed,
          `failed to download artifact from ${shown}: giving up after ${n + 1} attempt(s): ${err.message}`,
        );
      }
      await sleep(wait, undefined, { signal });
      wait = Math.min(wait * 2, opts.retryMaxWaitMs);
    }
  }
}

/**
 * Downloads, verifies and extracts `artifact`, then runs `work` with the extracted root and
 * `spec.path` inside it. The temp directory is removed whatever happens.
 */
export async function withArtifact<T>(
  request: ArtifactRequest,
  opts: ArtifactFetchOptions,
  work: (fetched: FetchedArtifact) => Promise<T>,
): Promise<T> {
  const { artifact, path: specPath, signal } = request;
  const tmp = await mkdtemp(path.join(opts.tmpDir ?? tmpdir(), "mooring-ks-"));
  try {
    const want = expectedSha256(artifact.digest);
    const file = path.join(tmp, "artifact.tar.gz");
    const got = await download(artifact.url, file, opts, signal);
    if (got !== want) {
      throw new GenericError(
        Reason.ArtifactFailed,
        `failed to verify artifact: computed digest 'sha256:${got}' doesn't match 'sha256:${want}'`,
      );
    }
    const root = path.join(tmp, "src");
    await mkdir(root);
    await extractTarGz(file, root, opts.maxBytes).catch((err: unknown) => {
      throw new GenericError(Reason.ArtifactFailed, err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    });
    await rm(file);
    const dir = secureJoin(root, specPath);
    const st = await stat(dir).catch(() => undefined);
    if (!st?.isDirectory()) {
      throw new GenericError(
        Reason.ArtifactFailed,
        `kustomization path not found: stat ${specPath || "."}: no such file or directory`,
      );
    }
    return await work({ root, dir });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
