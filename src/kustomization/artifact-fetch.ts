/**
 * Getting a source artifact onto local disk for one build (flux-compat §2.5): download
 * `status.artifact.url` (retrying connection errors and 5xx), verify its digest, extract it safely
 * into a temp directory, resolve `spec.path` inside it, run the caller's work, and always remove
 * the directory afterwards. A 404 means the source controller has not published the file yet and
 * becomes a wait; anything else is an `ArtifactFailed` error.
 */
import { createHash } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { type Artifact, Reason } from "../api/index.js";
import { GenericError, WaitingError } from "../runtime/errors.js";
import { stripUrlCredentials } from "../runtime/sanitize.js";
import { extractTarGz } from "../util/safe-extract.js";
import { writeAllSync } from "../util/write-sync.js";

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
  /**
   * An attempt that gets no response, or no body bytes, for this long is abandoned and retried
   * (default 10 s): a dead leader's address must not hold a reconcile for a minute (issue 14).
   */
  readonly attemptIdleTimeoutMs?: number;
}

const DEFAULT_ATTEMPT_IDLE_TIMEOUT_MS = 10_000;

/** The fields of an artifact a download needs. */
export type ArtifactLocation = Pick<Artifact, "url" | "digest" | "revision">;

/** What the caller's work receives. */
export interface FetchedArtifact {
  /** Root of the extracted artifact (a scratch directory: the build may write into it). */
  readonly root: string;
  /** `spec.path` joined securely into {@link root}; exists and is a directory. */
  readonly dir: string;
}

/** Which artifact to fetch and which path inside it the build needs. */
export interface ArtifactRequest {
  readonly artifact: ArtifactLocation;
  /** `spec.path`; "" means the artifact root. */
  readonly path: string;
  readonly signal?: AbortSignal;
  /**
   * Reads the source's current artifact afresh from the API server (not a cache). Called after a
   * failed attempt: after a failover the new leader serves the artifact at its own address, and
   * a download keeps going to the dead one unless it looks again (issue 14).
   */
  readonly refresh?: () => Promise<ArtifactLocation | undefined>;
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

/**
 * The download's sink: hashes what arrives, fails beyond `maxBytes` and writes it to `file` with
 * synchronous calls. An asynchronous write stream costs a turn of the event loop per chunk, and
 * beside a big apply each turn waits (issue 17, bench S9: see util/safe-extract.ts).
 */
function sink(file: string, maxBytes: number, onData: () => void): { stream: Writable; hex: () => string } {
  const hash = createHash("sha256");
  let size = 0;
  let fd: number | undefined;
  const stream = new Writable({
    construct(done): void {
      fd = openSync(file, "w", 0o600);
      done();
    },
    write(chunk: Buffer, _enc, done): void {
      onData();
      size += chunk.length;
      if (size > maxBytes) {
        done(new GenericError(Reason.ArtifactFailed, `artifact is larger than ${maxBytes} bytes`));
        return;
      }
      hash.update(chunk);
      writeAllSync(fd as number, chunk);
      done();
    },
    destroy(err, done): void {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      done(err);
    },
  });
  return { stream, hex: () => hash.digest("hex") };
}

/** An abort signal that fires when {@link IdleTimer.touch} has not been called for `ms`. */
class IdleTimer {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly ms: number) {
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(new Error(`no data for ${this.ms} ms`)), this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** Errors worth another attempt: the connection, not the answer (classified errors) nor our abort. */
function retryable(err: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted === true || err instanceof RetryableError) return false;
  return !(err instanceof GenericError || err instanceof WaitingError);
}

function failureText(err: unknown, idle: IdleTimer): string {
  return idle.signal.aborted ? `no response for ${idle.ms} ms` : causeText(err);
}

async function attempt(
  url: string,
  file: string,
  opts: ArtifactFetchOptions,
  signal?: AbortSignal,
): Promise<string> {
  const idle = new IdleTimer(opts.attemptIdleTimeoutMs ?? DEFAULT_ATTEMPT_IDLE_TIMEOUT_MS);
  const both = signal ? AbortSignal.any([signal, idle.signal]) : idle.signal;
  try {
    const res = await fetch(url, { signal: both });
    idle.touch();
    const body = await checkResponse(res, url, opts);
    const m = sink(file, opts.maxBytes, () => idle.touch());
    await pipeline(Readable.fromWeb(body), m.stream);
    return m.hex();
  } catch (err) {
    throw retryable(err, signal) ? new RetryableError(`GET ${url}: ${failureText(err, idle)}`) : err;
  } finally {
    idle.stop();
  }
}

/** What a download ends with: the artifact it got (after any refresh) and the hex sha256. */
interface Downloaded {
  readonly artifact: ArtifactLocation;
  readonly sha256: string;
}

/**
 * The source's current artifact when it moved (same revision, new URL or digest: a failover);
 * undefined when unchanged or unreadable. A new revision ends the download: the next reconcile
 * applies it.
 */
async function moved(
  current: ArtifactLocation,
  refresh: ArtifactRequest["refresh"],
): Promise<ArtifactLocation | undefined> {
  const fresh = await refresh?.().catch(() => undefined);
  if (fresh === undefined || (fresh.url === current.url && fresh.digest === current.digest)) return undefined;
  if (fresh.revision !== current.revision) {
    throw new GenericError(
      Reason.ArtifactFailed,
      `source revision changed to '${fresh.revision}' while downloading '${current.revision}'; retrying with it`,
      { retryAfterMs: 0 },
    );
  }
  return fresh;
}

/**
 * Downloads the artifact into `file` with retries. After each failed attempt (and on a 404) the
 * source is read afresh through `request.refresh`: a moved artifact is downloaded at once from its
 * new URL, without waiting out the backoff.
 */
export async function download(
  request: Pick<ArtifactRequest, "artifact" | "refresh" | "signal">,
  file: string,
  opts: ArtifactFetchOptions,
): Promise<Downloaded> {
  const { signal } = request;
  let artifact = request.artifact;
  let wait = opts.retryMinWaitMs;
  for (let n = 0; ; n++) {
    try {
      return { artifact, sha256: await attempt(artifact.url, file, opts, signal) };
    } catch (err) {
      const notFound = err instanceof WaitingError;
      if (!(err instanceof RetryableError) && !notFound) throw err;
      const next = await moved(artifact, request.refresh);
      if (next !== undefined) {
        artifact = next;
        continue;
      }
      if (notFound) throw err;
      if (n >= opts.retries) {
        throw new GenericError(
          Reason.ArtifactFailed,
          `failed to download artifact from ${stripUrlCredentials(artifact.url)}: giving up after ${n + 1} attempt(s): ${err.message}`,
        );
      }
      await sleep(wait, undefined, { signal });
      wait = Math.min(wait * 2, opts.retryMaxWaitMs);
    }
  }
}

/**
 * Downloads `request.artifact` (through `scratch`, a file path that is removed afterwards),
 * verifies its sha256 digest and extracts it into `dir`, which must exist. Shared by the
 * Kustomization's build and the ArtifactGenerator's inputs.
 */
export async function fetchArtifactInto(
  request: Pick<ArtifactRequest, "artifact" | "refresh" | "signal">,
  dir: string,
  scratch: string,
  opts: ArtifactFetchOptions,
): Promise<void> {
  expectedSha256(request.artifact.digest);
  try {
    const { artifact, sha256: got } = await download(request, scratch, opts);
    const want = expectedSha256(artifact.digest);
    if (got !== want) {
      throw new GenericError(
        Reason.ArtifactFailed,
        `failed to verify artifact: computed digest 'sha256:${got}' doesn't match 'sha256:${want}'`,
      );
    }
    await extractTarGz(scratch, dir, opts.maxBytes).catch((err: unknown) => {
      throw new GenericError(Reason.ArtifactFailed, err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    });
  } finally {
    await rm(scratch, { force: true });
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
  const { path: specPath } = request;
  const tmp = await mkdtemp(path.join(opts.tmpDir ?? tmpdir(), "mooring-ks-"));
  try {
    const root = path.join(tmp, "src");
    await mkdir(root);
    await fetchArtifactInto(request, root, path.join(tmp, "artifact.tar.gz"), opts);
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
