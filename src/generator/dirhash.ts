/**
 * The content hash that names a generated artifact's file, as source-watcher computes it: the
 * staging directory's regular files in sorted order, each as `<adler32 hex>  <output>/<path>`,
 * folded into one Adler-32 printed in decimal. Equal content gives an equal file name, so a
 * rebuild of unchanged content lands on the file that is already stored.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

const MOD_ADLER = 65521;

/** Adler-32 of `data`, continuing from `start` (1 for a fresh checksum). */
export function adler32(data: Uint8Array, start = 1): number {
  let a = start & 0xffff;
  let b = (start >>> 16) & 0xffff;
  for (let i = 0; i < data.length; i += 3800) {
    const end = Math.min(i + 3800, data.length);
    for (let j = i; j < end; j++) {
      a += data[j] ?? 0;
      b += a;
    }
    a %= MOD_ADLER;
    b %= MOD_ADLER;
  }
  return ((b << 16) | a) >>> 0;
}

async function files(root: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const path = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await files(root, path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

/** The decimal content hash of `dir`, its files named `<prefix>/<path>`. */
export async function contentHash(dir: string, prefix: string): Promise<string> {
  const names = (await files(dir)).sort();
  let lines = "";
  for (const name of names) {
    const sum = adler32(await readFile(join(dir, name)));
    lines += `${sum.toString(16)}  ${prefix}/${name}\n`;
  }
  return String(adler32(Buffer.from(lines, "utf8")));
}
