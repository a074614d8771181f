/**
 * Fetches one commit over git's smart protocol and stores the pack as it streams in (see
 * git-pack-stream.ts), instead of isomorphic-git's `fetch`, which collects the whole pack in
 * memory and indexes it with JavaScript inflate.
 *
 * With what the ref listing's discovery said about the server (git-remote.ts), a v2 server gets a
 * v2 `fetch` command and no second discovery; otherwise the discovery is isomorphic-git's
 * (`getRemoteInfo2`, so HTTP and auth errors are the ones the error classifier knows) and the
 * request v0/v1. Both go through the same `http` plugin (undici, or the SSH transport), and both
 * answers carry the pack on side band 1. A server lacking side-band-64k, ofs-delta or (for a
 * shallow fetch) shallow is reported as unsupported, and the caller falls back to isomorphic-git.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import git, { type HttpClient } from "isomorphic-git";
import type { ObjectStore } from "./git-objects.js";
import { commandRequest, pktLine, postUploadPack, type RemoteInfo } from "./git-remote.js";
import { storePack, type StoredPack } from "./git-pack-stream.js";
import { PktReader } from "./pkt-reader.js";

/** One fetch of `want` into the bare repository `gitdir`. */
export interface PackFetch {
  readonly http: HttpClient;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly gitdir: string;
  readonly want: string;
  /** `deepen <depth>`; a full fetch when absent. */
  readonly depth?: number;
  /** Commits the cache has (sent as `have`). */
  readonly haves: readonly string[];
  /** Reads existing objects (REF_DELTA bases outside the pack). */
  readonly store: ObjectStore;
  /** What a discovery just said about the server; discovered again (v1) when absent. */
  readonly info?: RemoteInfo;
}

const AGENT = "agent=mooring";

/** The upload-pack request body (stateless: wants, shallows, deepen, flush, haves, done). */
export function uploadPackRequest(f: {
  want: string;
  capabilities: readonly string[];
  shallows: readonly string[];
  depth?: number;
  haves: readonly string[];
}): Buffer {
  return Buffer.concat([
    pktLine(`want ${f.want} ${f.capabilities.join(" ")}\n`),
    ...f.shallows.map((oid) => pktLine(`shallow ${oid}\n`)),
    ...(f.depth === undefined ? [] : [pktLine(`deepen ${f.depth}\n`)]),
    Buffer.from("0000"),
    ...f.haves.map((oid) => pktLine(`have ${oid}\n`)),
    pktLine("done\n"),
  ]);
}

/** The shallow and unshallow lines and the pack (side band 1) of an upload-pack response. */
export async function readUploadPackResponse(
  body: AsyncIterable<Uint8Array>,
): Promise<{ shallow: Set<string>; unshallow: Set<string>; pack: AsyncGenerator<Buffer> }> {
  const reader = new PktReader(body);
  const shallow = new Set<string>();
  const unshallow = new Set<string>();
  for (;;) {
    const p = await reader.next();
    if (p === undefined) throw new Error("the git server ended the response before sending a pack");
    if (p.kind !== "data") continue;
    const line = p.raw.subarray(4).toString("utf8").replace(/\n$/, "");
    if (line.startsWith("shallow ")) shallow.add(line.slice(8));
    else if (line.startsWith("unshallow ")) unshallow.add(line.slice(10));
    else if (line === "NAK" || line.startsWith("ACK ")) break;
    else if (line.startsWith("ERR ")) throw new Error(`the git server refused the fetch: ${line.slice(4)}`);
    else throw new Error(`unexpected line from the git server: '${line.slice(0, 80)}'`);
  }
  return { shallow, unshallow, pack: sideBand(reader.rest()) };
}

/** The arguments of a v2 `fetch` command: the same wants, shallows, depth and haves, then done. */
export function fetchArguments(f: {
  want: string;
  shallows: readonly string[];
  depth?: number;
  haves: readonly string[];
}): string[] {
  return [
    "ofs-delta",
    "no-progress",
    ...f.shallows.map((oid) => `shallow ${oid}`),
    ...(f.depth === undefined ? [] : [`deepen ${f.depth}`]),
    `want ${f.want}`,
    ...f.haves.map((oid) => `have ${oid}`),
    "done",
  ];
}

/**
 * The shallow-info section and the pack of a v2 `fetch` response. Sections are a header line, then
 * lines up to a delimiter; the `packfile` section is side-band data up to the flush that ends the
 * response. Sections not asked for (acknowledgments after `done` are not sent) are skipped.
 */
export async function readFetchResponse(
  body: AsyncIterable<Uint8Array>,
): Promise<{ shallow: Set<string>; unshallow: Set<string>; pack: AsyncGenerator<Buffer> }> {
  const reader = new PktReader(body);
  const shallow = new Set<string>();
  const unshallow = new Set<string>();
  let section: string | undefined;
  for (;;) {
    const p = await reader.next();
    if (p === undefined || p.kind === "flush")
      throw new Error("the git server ended the response before sending a pack");
    if (p.kind !== "data") {
      section = undefined;
      continue;
    }
    const line = p.raw.subarray(4).toString("utf8").replace(/\n$/, "");
    if (line.startsWith("ERR ")) throw new Error(`the git server refused the fetch: ${line.slice(4)}`);
    if (section === undefined && line === "packfile")
      return { shallow, unshallow, pack: sideBand(reader.rest()) };
    if (section === undefined) section = line;
    else if (section === "shallow-info") shallowInfo(line, shallow, unshallow);
  }
}

/** A line of the shallow-info section into the shallow or unshallow set. */
function shallowInfo(line: string, shallow: Set<string>, unshallow: Set<string>): void {
  if (line.startsWith("shallow ")) shallow.add(line.slice(8));
  else if (line.startsWith("unshallow ")) unshallow.add(line.slice(10));
}

/**
 * Side-band-64k demultiplexer over chunks cut anywhere: band 1 comes out as views of the chunks
 * (no copy of the pack), band 2 (progress) is dropped, band 3 fails the fetch with its text.
 */
class SideBand {
  private head = Buffer.alloc(0);
  /** Bytes left in the current packet (its band byte included until read). */
  private left = 0;
  private band = -1;
  private error = "";
  /** The flush packet ending the pack arrived. */
  ended = false;

  *feed(chunk: Buffer): Generator<Buffer> {
    let at = 0;
    while (at < chunk.length && !this.ended) {
      if (this.band < 0) {
        at = this.header(chunk, at);
        continue;
      }
      const piece = chunk.subarray(at, at + Math.min(this.left, chunk.length - at));
      at += piece.length;
      this.left -= piece.length;
      if (this.band === 1) yield piece;
      else if (this.band === 3) this.error += piece.toString("utf8");
      if (this.left === 0) this.endPacket();
    }
  }

  /** Reads the 4 length bytes, then the band byte, from `chunk` at `at`; returns where it stopped. */
  private header(chunk: Buffer, at: number): number {
    const size = this.left === 0 ? 4 : 1;
    const part = chunk.subarray(at, at + size - this.head.length);
    this.head = Buffer.concat([this.head, part]);
    if (this.head.length < size) return at + part.length;
    if (this.left === 0) {
      this.left = packetLength(this.head);
      this.ended = this.left === 0;
    } else {
      this.band = this.head[0]!;
      this.left -= 1;
      if (this.left === 0) this.endPacket();
    }
    this.head = Buffer.alloc(0);
    return at + part.length;
  }

  private endPacket(): void {
    if (this.band === 3) throw new Error(`the git server failed: ${this.error.trim()}`);
    this.band = -1;
  }
}

async function* sideBand(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const demux = new SideBand();
  for await (const chunk of chunks) {
    yield* demux.feed(chunk);
    if (demux.ended) return;
  }
}

/** Payload length after the 4-byte length (0 for a flush packet). */
function packetLength(head: Buffer): number {
  const text = head.toString("latin1");
  if (!/^[0-9a-f]{4}$/i.test(text))
    throw new Error(`malformed pkt-line length '${text}' from the git server`);
  const len = parseInt(text, 16);
  if (len === 0) return 0;
  if (len < 5) throw new Error(`unexpected pkt-line length '${text}' in the pack stream`);
  return len - 4;
}

async function readShallow(gitdir: string): Promise<Set<string>> {
  const text = await readFile(join(gitdir, "shallow"), "utf8").catch(() => "");
  return new Set(text.split("\n").filter((l) => /^[0-9a-f]{40}$/.test(l)));
}

async function writeShallow(gitdir: string, oids: Set<string>): Promise<void> {
  if (oids.size === 0) await rm(join(gitdir, "shallow"), { force: true });
  else await writeFile(join(gitdir, "shallow"), [...oids].map((o) => `${o}\n`).join(""));
}

/** The capabilities to ask for, or undefined when the server lacks one this client needs. */
function capabilitiesFor(
  info: Awaited<ReturnType<typeof git.getRemoteInfo2>>,
  shallow: boolean,
): string[] | undefined {
  const caps = info.capabilities;
  if (info.protocolVersion !== 1 || !caps["side-band-64k"] || !caps["ofs-delta"]) return undefined;
  if (shallow && !caps.shallow) return undefined;
  return ["side-band-64k", "ofs-delta", ...(caps["no-progress"] ? ["no-progress"] : []), AGENT];
}

/** Runs the fetch; "unsupported" when the server lacks a capability this client needs. */
export async function fetchPack(f: PackFetch): Promise<StoredPack | undefined | "unsupported"> {
  const info =
    f.info ??
    (await git.getRemoteInfo2({ http: f.http, url: f.url, headers: f.headers, protocolVersion: 1 }));
  const shallows = await readShallow(f.gitdir);
  const shallow = f.depth !== undefined || shallows.size > 0;
  const wanted = {
    want: f.want,
    shallows: [...shallows],
    haves: f.haves,
    ...(f.depth === undefined ? {} : { depth: f.depth }),
  };
  let response: Awaited<ReturnType<typeof readFetchResponse>>;
  if (info.protocolVersion === 2) {
    if (shallow && !fetchFeatures(info).has("shallow")) return "unsupported";
    response = await readFetchResponse(
      await postUploadPack(f, commandRequest("fetch", fetchArguments(wanted)), true),
    );
  } else {
    const capabilities = capabilitiesFor(info, shallow);
    if (capabilities === undefined) return "unsupported";
    response = await readUploadPackResponse(
      await postUploadPack(f, uploadPackRequest({ ...wanted, capabilities }), false),
    );
  }
  const stored = await storePack(response.pack, join(f.gitdir, "objects", "pack"), (oid) =>
    f.store.read(oid.toString("hex")),
  );
  for (const oid of response.shallow) shallows.add(oid);
  for (const oid of response.unshallow) shallows.delete(oid);
  await writeShallow(f.gitdir, shallows);
  return stored;
}

/** The features of a v2 server's `fetch` command (`fetch=shallow wait-for-done`). */
function fetchFeatures(info: RemoteInfo): Set<string> {
  const value = info.capabilities["fetch"];
  return new Set(typeof value === "string" ? value.split(" ") : []);
}
