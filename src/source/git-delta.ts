/**
 * Git's delta format (pack object types OFS_DELTA and REF_DELTA): a base size, a result size,
 * then copy-from-base and insert instructions.
 */

function varint(buf: Uint8Array, start: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let i = start;
  for (;;) {
    if (i >= buf.length) throw new Error("corrupt git delta: truncated size");
    const c = buf[i++]!;
    value += (c & 0x7f) * 2 ** shift;
    shift += 7;
    if ((c & 0x80) === 0) return [value, i];
  }
}

/** Reads the copy instruction at `i` (opcode `op`); returns offset, size and the next index. */
function copyArgs(
  delta: Uint8Array,
  op: number,
  start: number,
): [offset: number, size: number, next: number] {
  let i = start;
  let offset = 0;
  let size = 0;
  for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += delta[i++]! * 2 ** (8 * bit);
  for (let bit = 0; bit < 3; bit++) if (op & (0x10 << bit)) size += delta[i++]! * 2 ** (8 * bit);
  if (i > delta.length) throw new Error("corrupt git delta: truncated copy instruction");
  return [offset, size === 0 ? 0x10000 : size, i];
}

/** Applies `delta` to `base`; throws on a delta that does not fit its base or its stated size. */
export function applyDelta(base: Uint8Array, delta: Uint8Array): Buffer {
  const [baseSize, afterBase] = varint(delta, 0);
  if (baseSize !== base.length)
    throw new Error(`corrupt git delta: base is ${base.length} bytes, delta expects ${baseSize}`);
  const [size, start] = varint(delta, afterBase);
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  let i = start;
  while (i < delta.length) {
    const op = delta[i++]!;
    if (op & 0x80) {
      const [offset, len, next] = copyArgs(delta, op, i);
      i = next;
      if (offset + len > base.length || o + len > size)
        throw new Error("corrupt git delta: copy out of range");
      out.set(base.subarray(offset, offset + len), o);
      o += len;
    } else if (op !== 0) {
      if (i + op > delta.length || o + op > size) throw new Error("corrupt git delta: insert out of range");
      out.set(delta.subarray(i, i + op), o);
      o += op;
      i += op;
    } else {
      throw new Error("corrupt git delta: reserved opcode 0");
    }
  }
  if (o !== size) throw new Error(`corrupt git delta: produced ${o} bytes, expected ${size}`);
  return out;
}
