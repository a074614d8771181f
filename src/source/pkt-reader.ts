/**
 * Reads git pkt-lines from a byte stream (an SSH channel) one packet at a time, keeping each
 * packet's raw bytes so they can be passed on unchanged, and hands over the unread rest (a pack)
 * as a stream. Only what the SSH transport needs: no side-band demultiplexing (isomorphic-git does
 * that on the bytes it is given).
 */

/** One packet: its raw bytes (length prefix included) and what kind it is. */
export interface Packet {
  readonly kind: "data" | "flush" | "delim" | "response-end";
  readonly raw: Buffer;
}

const SPECIAL: Readonly<Record<number, Packet["kind"]>> = { 0: "flush", 1: "delim", 2: "response-end" };

/** The chunk as a Buffer, without copying its bytes. */
function asBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (typeof chunk === "string") return Buffer.from(chunk);
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** A pull reader over any async iterable of byte chunks. */
export class PktReader {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly source: AsyncIterator<Buffer | Uint8Array | string>;

  constructor(stream: AsyncIterable<Buffer | Uint8Array | string>) {
    this.source = stream[Symbol.asyncIterator]();
  }

  /** Ensures `n` bytes are buffered; false when the stream ended first. */
  private async fill(n: number): Promise<boolean> {
    while (this.buffered.length < n) {
      const r = await this.source.next();
      if (r.done === true) return false;
      const chunk = asBuffer(r.value);
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    }
    return true;
  }

  /** The next packet; undefined at the end of the stream. Throws on a malformed length. */
  async next(): Promise<Packet | undefined> {
    if (!(await this.fill(4))) return undefined;
    const head = this.buffered.subarray(0, 4).toString("latin1");
    if (!/^[0-9a-f]{4}$/i.test(head))
      throw new Error(`malformed pkt-line length '${head}' from the git server`);
    const len = parseInt(head, 16);
    const special = SPECIAL[len];
    const size = special === undefined ? len : 4;
    if (special === undefined && len < 4)
      throw new Error(`malformed pkt-line length '${head}' from the git server`);
    if (!(await this.fill(size))) throw new Error("the git server closed the stream inside a packet");
    const raw = this.buffered.subarray(0, size);
    this.buffered = this.buffered.subarray(size);
    return { kind: special ?? "data", raw };
  }

  /** Everything not read yet, as it arrives. */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.buffered.length > 0) yield this.buffered;
    this.buffered = Buffer.alloc(0);
    for (;;) {
      const r = await this.source.next();
      if (r.done === true) return;
      yield asBuffer(r.value);
    }
  }
}
