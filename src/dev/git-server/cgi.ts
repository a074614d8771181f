/**
 * Runs `git http-backend` as a CGI program for one HTTP request.
 *
 * The test git server must speak the real smart-HTTP protocol (v0 and v2), so it delegates to
 * git's own backend instead of re-implementing upload-pack; this file turns a Node request into
 * the CGI environment and the CGI output back into a Node response.
 */
import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";

/** What the backend needs to know about one request. */
export interface CgiRequest {
  readonly projectRoot: string;
  /** Path below the server root, e.g. `/repo.git/info/refs`. */
  readonly pathInfo: string;
  readonly query: string;
  readonly remoteUser?: string;
}

/** What the server learned while relaying one response. */
export interface CgiOutcome {
  readonly status: number;
  /** True when the response carried a packfile (a real fetch happened). */
  readonly packSent: boolean;
  readonly bytesSent: number;
}

const PACK_SIGNATURE = Buffer.from("PACK\0\0\0", "latin1");

/** Splits CGI output into its header block and body, and sniffs the body for a pack header. */
class CgiParser extends Transform {
  headers: Promise<Map<string, string>>;
  packSent = false;
  bodyBytes = 0;
  private resolveHeaders!: (h: Map<string, string>) => void;
  private head: Buffer | undefined = Buffer.alloc(0);
  private tail = Buffer.alloc(0);

  constructor() {
    super();
    this.headers = new Promise((resolve) => (this.resolveHeaders = resolve));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.head === undefined) {
      this.body(chunk);
      done();
      return;
    }
    const all = Buffer.concat([this.head, chunk]);
    const end = all.indexOf("\r\n\r\n");
    if (end < 0) {
      this.head = all;
      done();
      return;
    }
    this.head = undefined;
    this.resolveHeaders(parseHeaders(all.subarray(0, end).toString("latin1")));
    this.body(all.subarray(end + 4));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.head !== undefined) this.resolveHeaders(parseHeaders(this.head.toString("latin1")));
    done();
  }

  private body(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.bodyBytes += chunk.length;
    if (!this.packSent) {
      const window = Buffer.concat([this.tail, chunk]);
      this.packSent = window.includes(PACK_SIGNATURE);
      this.tail = window.subarray(Math.max(0, window.length - PACK_SIGNATURE.length));
    }
    this.push(chunk);
  }
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function cgiEnv(req: IncomingMessage, cgi: CgiRequest): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: cgi.projectRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: cgi.pathInfo,
    QUERY_STRING: cgi.query,
    REQUEST_METHOD: req.method ?? "GET",
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    REMOTE_USER: cgi.remoteUser ?? "",
    GIT_CONFIG_NOSYSTEM: "1",
    HOME: cgi.projectRoot,
  };
  const protocol = req.headers["git-protocol"];
  if (typeof protocol === "string") env.GIT_PROTOCOL = protocol;
  const encoding = req.headers["content-encoding"];
  if (typeof encoding === "string") env.HTTP_CONTENT_ENCODING = encoding;
  const length = req.headers["content-length"];
  if (typeof length === "string") env.CONTENT_LENGTH = length;
  return env;
}

/** Relays `req` through `git http-backend` into `res`. */
export async function runHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  cgi: CgiRequest,
): Promise<CgiOutcome> {
  const child = spawn("git", ["http-backend"], { env: cgiEnv(req, cgi), stdio: ["pipe", "pipe", "pipe"] });
  const parser = new CgiParser();
  child.stderr.resume();
  child.stdin.on("error", () => undefined); // the backend may answer before reading the body
  const input = pipeline(req, child.stdin).catch(() => undefined);
  const parsed = child.stdout.pipe(parser);
  const headers = await parser.headers;
  const statusLine = headers.get("status") ?? "200 OK";
  const status = Number.parseInt(statusLine, 10) || 200;
  headers.delete("status");
  res.writeHead(status, Object.fromEntries(headers));
  await pipeline(parsed, res).catch(() => undefined);
  await input;
  return { status, packSent: parser.packSent, bytesSent: parser.bodyBytes };
}
