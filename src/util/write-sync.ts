import { writeSync } from "node:fs";

/** Writes all of `chunk` to `fd` with synchronous calls (a short write is continued). */
export function writeAllSync(fd: number, chunk: Uint8Array): void {
  for (let off = 0; off < chunk.byteLength; ) off += writeSync(fd, chunk, off);
}
