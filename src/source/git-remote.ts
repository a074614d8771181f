/**
 * Talking to a git server over HTTP in as few requests as the protocol allows (issue 19).
 *
 * A discovery (`GET info/refs`) says which protocol the server speaks and, in v2, what its
 * `fetch` command supports. That is a property of the server, not of one repository, so the
 * client remembers it per server (scheme, host and port) and afterwards sends v2 commands straight
 * away: polling an unchanged branch is one `ls-refs` POST, and a new revision adds one `fetch`
 * POST. A discovery before each command would double the requests, and the processes
 * (`git upload-pack`) a server such as `git http-backend` starts for each.
 *
 * When a command sent on what was remembered fails, the server is discovered again and the
 * command retried once, so a server that stopped speaking v2 costs one failed request, and any
 * real error (authentication, a missing repository) is reported as the discovery reports it. A
 * v1-only server is discovered each time: its refs come with the discovery.
 */
import { Readable } from "node:stream";
import git, { Errors, type GetRemoteInfo2Result, type HttpClient, type ServerRef } from "isomorphic-git";
import { PktReader } from "./pkt-reader.js";

/** The HTTP transport, URL and headers (credentials included) of one repository. */
export interface HttpRemote {
  readonly http: HttpClient;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly signal?: AbortSignal;
}

/** What a discovery said; the v1 form carries the refs. */
export type RemoteInfo = GetRemoteInfo2Result;

/** Refs listed on a server, and what the fetch that may follow can rely on. */
export interface ListedRefs {
  readonly refs: ServerRef[];
  readonly info: RemoteInfo;
}

const AGENT = "agent=mooring";
const FLUSH = Buffer.from("0000");
const DELIM = Buffer.from("0001");

/** A pkt-line of `line`. */
export function pktLine(line: string): Buffer {
  const body = Buffer.from(line, "utf8");
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, "0")), body]);
}

/** A v2 command request: the command, our agent, then its arguments. */
export function commandRequest(command: string, args: readonly string[]): Buffer {
  return Buffer.concat([
    pktLine(`command=${command}\n`),
    pktLine(`${AGENT}\n`),
    DELIM,
    ...args.map((a) => pktLine(`${a}\n`)),
    FLUSH,
  ]);
}

/** The v2 capabilities each server last advertised, by origin. */
export class ServerProtocols {
  private readonly v2 = new Map<string, RemoteInfo>();

  /** What the server of `url` advertised for v2, if it is known to speak it. */
  v2Info(url: string): RemoteInfo | undefined {
    return this.v2.get(new URL(url).origin);
  }

  /** Refs under `prefix` (peeled), with one discovery only when the server is not known to speak v2. */
  async listRefs(remote: HttpRemote, prefix: string): Promise<ListedRefs> {
    const key = new URL(remote.url).origin;
    const known = this.v2.get(key);
    if (known !== undefined) {
      try {
        return { refs: await lsRefs(remote, prefix), info: known };
      } catch (err) {
        if (remote.signal?.aborted === true) throw err;
        this.v2.delete(key);
      }
    }
    const info = await git.getRemoteInfo2({
      http: remote.http,
      url: remote.url,
      headers: { ...remote.headers },
      protocolVersion: 2,
    });
    if (info.protocolVersion === 1)
      return { refs: (info.refs ?? []).filter((r) => r.ref.startsWith(prefix)), info };
    const refs = await lsRefs(remote, prefix);
    this.v2.set(key, info);
    return { refs, info };
  }
}

/**
 * POSTs an upload-pack request (`v2`: a v2 command); throws isomorphic-git's HttpError on a status
 * other than 200, as its own requests do, so errors are classified alike.
 */
export async function postUploadPack(
  remote: HttpRemote,
  body: Buffer,
  v2: boolean,
): Promise<AsyncIterableIterator<Uint8Array>> {
  const res = await remote.http.request({
    url: `${remote.url}/git-upload-pack`,
    method: "POST",
    headers: {
      ...remote.headers,
      "content-type": "application/x-git-upload-pack-request",
      accept: "application/x-git-upload-pack-result",
      ...(v2 ? { "git-protocol": "version=2" } : {}),
    },
    body: once(body),
  });
  if (res.statusCode === 200) return res.body ?? once(Buffer.alloc(0));
  const text: string[] = [];
  for await (const c of res.body ?? []) text.push(Buffer.from(c).toString("utf8"));
  throw new Errors.HttpError(res.statusCode, res.statusMessage, text.join(""));
}

/** One `ls-refs` with peeled tags: `<oid> <ref>[ peeled:<oid>]` lines up to a flush. */
async function lsRefs(remote: HttpRemote, prefix: string): Promise<ServerRef[]> {
  const reader = new PktReader(
    await postUploadPack(remote, commandRequest("ls-refs", ["peel", `ref-prefix ${prefix}`]), true),
  );
  const refs: ServerRef[] = [];
  for (;;) {
    const p = await reader.next();
    if (p === undefined) throw new Error("the git server ended the ref listing early");
    if (p.kind === "flush") return refs;
    if (p.kind !== "data") throw new Error("unexpected packet in the git server's ref listing");
    refs.push(parseRefLine(p.raw.subarray(4).toString("utf8")));
  }
}

function parseRefLine(text: string): ServerRef {
  const line = text.replace(/\n$/, "");
  if (line.startsWith("ERR ")) throw new Error(`the git server refused the ref listing: ${line.slice(4)}`);
  const [oid, ref, ...attrs] = line.split(" ");
  if (oid === undefined || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(oid) || ref === undefined)
    throw new Error(`unexpected line in the git server's ref listing: '${line.slice(0, 80)}'`);
  const peeled = attrs.find((a) => a.startsWith("peeled:"))?.slice("peeled:".length);
  return { ref, oid, ...(peeled === undefined ? {} : { peeled }) };
}

function once(buf: Buffer): AsyncIterableIterator<Uint8Array> {
  const chunk = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return Readable.from([chunk])[Symbol.asyncIterator]() as AsyncIterableIterator<Uint8Array>;
}
