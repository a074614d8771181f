/**
 * The artifact HTTP server (`--storage-addr`, flux-compat §2.4): GET/HEAD of stored files with
 * Content-Length and a strong ETag, 404 for anything else, and no way out of the storage root.
 * kustomize-controller (ours or Flux's) downloads artifacts from here.
 */
import { createReadStream, type Stats } from "node:fs";
import { lstat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { relative, resolve, sep } from "node:path";
import { listen, type ListeningServer } from "../runtime/listen.js";
import { bufferSizes } from "../util/safe-extract.js";

/** Resolves a request path below root, or undefined when it is malformed or escapes. */
export function resolveRequestPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  // Hidden segments are never artifacts: temp files being written (`.x.tmp`) and caches kept
  // under the storage root (e.g. `.git-cache`) stay private.
  const segments = decoded.split("/").filter((p) => p !== "");
  if (decoded.includes("\0") || segments.some((p) => p.startsWith("."))) return undefined;
  const full = resolve(root, `.${decoded}`);
  const rel = relative(root, full);
  if (rel.startsWith("..") || rel.split(sep).includes("..")) return undefined;
  return full;
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("404 page not found\n");
}

async function statArtifact(root: string, urlPath: string): Promise<{ file: string; s: Stats } | undefined> {
  const file = resolveRequestPath(root, urlPath);
  if (file === undefined || file.endsWith(".lock")) return undefined;
  const s = await lstat(file).catch(() => undefined);
  return s?.isFile() === true ? { file, s } : undefined;
}

async function serve(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD" }).end();
    return;
  }
  const urlPath = new URL(req.url ?? "/", "http://localhost").pathname;
  if (urlPath === "/") {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" }).end("ok\n");
    return;
  }
  const found = await statArtifact(root, urlPath);
  if (found === undefined) {
    notFound(res);
    return;
  }
  const { file, s } = found;
  const etag = `"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}-${s.ino.toString(16)}"`;
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, { ETag: etag }).end();
    return;
  }
  res.writeHead(200, {
    "Content-Type": "application/gzip",
    "Content-Length": s.size,
    ETag: etag,
    "Last-Modified": new Date(s.mtimeMs).toUTCString(),
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  // Reads of up to 1 MiB: one turn of the event loop per MiB, not per 64 KiB (the default), on both
  // ends when the controller downloads from itself beside a big apply (issue 17, bench S9); sized
  // to the file, since Node allocates the whole highWaterMark for every read (see safe-extract.ts).
  createReadStream(file, { highWaterMark: bufferSizes(s.size).read })
    .on("error", () => res.destroy())
    .pipe(res);
}

/** Starts serving `root` on `addr` (e.g. `:9090`, `127.0.0.1:0`). */
export function startArtifactServer(root: string, addr: string): Promise<ListeningServer> {
  const absRoot = resolve(root);
  const server = createServer((req, res) => {
    serve(absRoot, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return listen(server, addr);
}
