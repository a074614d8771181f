/**
 * Git over SSH presented to isomorphic-git as its `http` plugin.
 *
 * isomorphic-git speaks only smart HTTP, but after the transport the git protocol is the same:
 * the ref advertisement, then a request and its response in pkt-lines. So the `GET info/refs`
 * starts `git-upload-pack '<path>'` on an SSH channel (with `GIT_PROTOCOL=version=2` when
 * isomorphic-git asks for v2) and answers with the advertisement the server wrote; the
 * `POST git-upload-pack` writes its body to the same channel and answers with what comes back —
 * for v2 one command's response up to its flush packet (then the session is ended with a flush),
 * for v0 everything up to the end of the channel (upload-pack exits after the pack). One upload-pack
 * process per discovery, so the no-op poll is one `ls-refs` and never a pack.
 */
import { Readable } from "node:stream";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import type { ClientChannel } from "ssh2";
import { PackTooLargeError } from "./git-http.js";
import { SshConnection, type SshRemote, SshTransportError, uploadPackCommand } from "./git-ssh.js";
import { PktReader } from "./pkt-reader.js";

/** The URL handed to isomorphic-git for an SSH remote; only its path suffixes matter here. */
export const SSH_TRANSPORT_URL = "http://ssh-transport.mooring.invalid/repository";

/** Options of {@link createGitSshTransport}. */
export interface GitSshOptions {
  readonly signal?: AbortSignal;
  /** Largest pack accepted, in bytes (as for HTTP). */
  readonly maxPackBytes?: number;
  readonly readyTimeoutMs?: number;
}

/** The `http` plugin plus `close`, which ends the SSH connection; call it when done. */
export interface GitSshTransport {
  readonly http: HttpClient;
  close(): void;
}

const FLUSH = Buffer.from("0000");
const MAX_STDERR = 4096;

interface UploadPack {
  readonly channel: ClientChannel;
  readonly reader: PktReader;
  readonly version: 1 | 2;
  /** Resolves with the exit code when the channel closes. */
  readonly closed: Promise<number | undefined>;
  stderr(): string;
}

function pkt(line: string): Buffer {
  return Buffer.from(`${(line.length + 4).toString(16).padStart(4, "0")}${line}`);
}

function repositoryError(remote: SshRemote, stderr: string, code: number | undefined): SshTransportError {
  const said = stderr.trim().split("\n").slice(-3).join("; ");
  if (/not (appear to be )?a git repository|not found|does not exist|no such/i.test(said)) {
    return new SshTransportError(
      "repository",
      `repository not found: the server said '${said}': check the path in spec.url`,
    );
  }
  const detail = said === "" ? `exit status ${code ?? "unknown"}` : `'${said}'`;
  return new SshTransportError(
    "protocol",
    `git-upload-pack '${remote.path}' failed on the server: ${detail}`,
  );
}

async function* withLimit(
  chunks: AsyncIterable<Buffer>,
  limit: number | undefined,
  channel: ClientChannel,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (limit !== undefined && total > limit) {
      channel.destroy();
      throw new PackTooLargeError(limit);
    }
    yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

async function collect(body: GitHttpRequest["body"]): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of body ?? []) parts.push(part);
  return Buffer.concat(parts);
}

function response(
  req: GitHttpRequest,
  type: string,
  body: AsyncIterableIterator<Uint8Array>,
): GitHttpResponse {
  return {
    url: req.url,
    method: req.method ?? "GET",
    headers: { "content-type": `application/x-git-upload-pack-${type}` },
    body,
    statusCode: 200,
    statusMessage: "OK",
  };
}

function once(...chunks: Buffer[]): AsyncIterableIterator<Uint8Array> {
  return Readable.from(chunks.map((c) => new Uint8Array(c.buffer, c.byteOffset, c.byteLength)))[
    Symbol.asyncIterator
  ]() as AsyncIterableIterator<Uint8Array>;
}

/** The transport for one remote operation (one connection, opened on the first request). */
export function createGitSshTransport(remote: SshRemote, opts: GitSshOptions = {}): GitSshTransport {
  let connection: Promise<SshConnection> | undefined;
  let pending: UploadPack | undefined;
  const connect = (): Promise<SshConnection> =>
    (connection ??= SshConnection.open(remote, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.readyTimeoutMs ? { readyTimeoutMs: opts.readyTimeoutMs } : {}),
    }));

  const endSession = (session: UploadPack | undefined): void => {
    if (session === undefined) return;
    if (session.channel.writable) session.channel.end(FLUSH);
  };

  /** Starts upload-pack and reads its advertisement (up to the first flush packet). */
  const start = async (v2: boolean): Promise<{ session: UploadPack; advert: Buffer[] }> => {
    const channel = await (
      await connect()
    ).exec(uploadPackCommand(remote.path), v2 ? { GIT_PROTOCOL: "version=2" } : {});
    let stderr = "";
    channel.stderr.on("data", (d: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += d.toString("utf8");
    });
    const closed = new Promise<number | undefined>((resolve) => {
      let code: number | undefined;
      channel.on("exit", (c: number | null) => (code = c ?? undefined));
      channel.on("close", () => resolve(code));
    });
    const reader = new PktReader(channel);
    const advert: Buffer[] = [];
    for (;;) {
      const p = await reader.next();
      if (p === undefined) throw repositoryError(remote, stderr, await closed);
      advert.push(p.raw);
      if (p.kind === "flush") break;
    }
    const version = advert[0]?.subarray(4).toString("utf8").startsWith("version 2") ? 2 : 1;
    return { session: { channel, reader, version, closed, stderr: () => stderr }, advert };
  };

  /** v2: one command's response, up to and including its flush packet; then the session ends. */
  async function* commandResponse(session: UploadPack): AsyncGenerator<Uint8Array> {
    for (;;) {
      const p = await session.reader.next();
      if (p === undefined) throw repositoryError(remote, session.stderr(), await session.closed);
      yield new Uint8Array(p.raw);
      if (p.kind === "flush") break;
    }
    endSession(session);
  }

  /** v0: everything until upload-pack exits (it does after the pack). */
  async function* rest(session: UploadPack, limit: number | undefined): AsyncGenerator<Uint8Array> {
    yield* withLimit(session.reader.rest(), limit, session.channel);
    const code = await session.closed;
    if (code !== undefined && code !== 0) throw repositoryError(remote, session.stderr(), code);
  }

  const discover = async (req: GitHttpRequest): Promise<GitHttpResponse> => {
    endSession(pending);
    pending = undefined;
    const headers = Object.fromEntries(
      Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const { session, advert } = await start(headers["git-protocol"] === "version=2");
    pending = session;
    return response(req, "advertisement", once(pkt("# service=git-upload-pack\n"), FLUSH, ...advert));
  };

  const uploadPack = async (req: GitHttpRequest): Promise<GitHttpResponse> => {
    const body = await collect(req.body);
    const session: UploadPack = pending ?? (await start(body.includes("command="))).session;
    pending = undefined;
    session.channel.write(body);
    const isPack = body.includes("want ");
    const out =
      session.version === 2
        ? commandResponse(session)
        : rest(session, isPack ? opts.maxPackBytes : undefined);
    return response(req, "result", out);
  };

  return {
    http: {
      request(req: GitHttpRequest): Promise<GitHttpResponse> {
        const path = new URL(req.url);
        if (
          req.method !== "POST" &&
          path.pathname.endsWith("/info/refs") &&
          path.searchParams.get("service") === "git-upload-pack"
        )
          return discover(req);
        if (req.method === "POST" && path.pathname.endsWith("/git-upload-pack")) return uploadPack(req);
        return Promise.reject(
          new SshTransportError(
            "protocol",
            `only fetching is supported over SSH (asked: ${req.method ?? "GET"} ${path.pathname})`,
          ),
        );
      },
    },
    close(): void {
      endSession(pending);
      pending = undefined;
      void connection?.then((c) => c.close()).catch(() => undefined);
    },
  };
}
