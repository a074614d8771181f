/**
 * Reads objects from a (bare) git repository's object database: version-2 packs and loose objects,
 * inflated with node:zlib (native) and read with positional reads, so neither a pack nor all of
 * its objects are ever held in memory at once. One store per operation; close it after.
 *
 * Replaces isomorphic-git's `readBlob`/`readTree`/`readCommit` on the artifact path, which inflate
 * in JavaScript, load the whole pack into memory and look up the git directory on every call.
 */
import { type FileHandle, open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { PackIndex } from "./git-pack-index.js";
import { type GitObject, ObjectCache, type ObjectType, PackReader } from "./git-pack-reader.js";

export type { GitObject, ObjectType } from "./git-pack-reader.js";

/** Bytes of delta bases kept after use (a chain's bases are read again by the next delta). */
const BASE_CACHE_BYTES = 16 * 1024 * 1024;
const LOOSE_TYPES: readonly string[] = ["commit", "tree", "blob", "tag"];

interface Pack {
  readonly index: PackIndex;
  readonly reader: PackReader;
  readonly fh: FileHandle;
}

/** The object `oid` is in none of the repository's packs and not loose. */
export class MissingObjectError extends Error {
  override readonly name = "MissingObjectError";
  constructor(readonly oid: string) {
    super(`git object ${oid} not found`);
  }
}

/** Parses a loose object's inflated bytes (`<type> <size>\0<content>`). */
function parseLoose(oid: string, bytes: Buffer): GitObject {
  const nul = bytes.indexOf(0);
  const [type, size] = bytes.subarray(0, Math.max(nul, 0)).toString("latin1").split(" ");
  const data = bytes.subarray(nul + 1);
  if (nul < 0 || !LOOSE_TYPES.includes(type ?? "") || Number(size) !== data.length)
    throw new Error(`corrupt loose object ${oid}`);
  return { type: type as ObjectType, data };
}

/** Read access to one repository's objects. */
export class ObjectStore {
  private readonly cache = new ObjectCache(BASE_CACHE_BYTES);
  private packs: Pack[] = [];

  private constructor(private readonly gitdir: string) {}

  /** Opens every pack of `gitdir` (bare repository layout). */
  static async open(gitdir: string): Promise<ObjectStore> {
    const store = new ObjectStore(gitdir);
    const dir = join(gitdir, "objects", "pack");
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".idx"));
    try {
      for (const idx of names.sort()) await store.addPack(join(dir, idx));
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  private async addPack(idxPath: string): Promise<void> {
    const index = PackIndex.parse(await readFile(idxPath));
    const fh = await open(idxPath.replace(/\.idx$/, ".pack"), "r");
    try {
      const size = (await fh.stat()).size;
      const layout = { end: (o: number) => index.end(o, size), find: (oid: Uint8Array) => index.find(oid) };
      const external = (oid: Buffer, depth: number): Promise<GitObject> => this.readRaw(oid, depth);
      const name = idxPath.slice(idxPath.lastIndexOf("/") + 1);
      this.packs.push({
        index,
        fh,
        reader: new PackReader({ name, fh, layout, external, cache: this.cache }),
      });
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    this.cache.clear();
    const packs = this.packs;
    this.packs = [];
    await Promise.all(packs.map((p) => p.fh.close()));
  }

  /** True when the repository has `oid`. */
  async has(oid: string): Promise<boolean> {
    return this.read(oid).then(
      () => true,
      (err: unknown) => {
        if (err instanceof MissingObjectError) return false;
        throw err;
      },
    );
  }

  /** Reads `oid` (40 hex digits). */
  async read(oid: string): Promise<GitObject> {
    const raw = Buffer.from(oid, "hex");
    if (raw.length !== 20 || !/^[0-9a-f]{40}$/i.test(oid)) throw new Error(`invalid git object id '${oid}'`);
    return this.readRaw(raw, 0);
  }

  /** Reads `oid` and checks its type. */
  async readAs(oid: string, type: ObjectType): Promise<Buffer> {
    const obj = await this.read(oid);
    if (obj.type !== type) throw new Error(`git object ${oid} is a ${obj.type}, expected a ${type}`);
    return obj.data;
  }

  private async readRaw(oid: Buffer, depth: number): Promise<GitObject> {
    for (const pack of this.packs) {
      const offset = pack.index.find(oid);
      if (offset !== undefined) return pack.reader.at(offset, depth);
    }
    const hex = oid.toString("hex");
    const bytes = await readFile(join(this.gitdir, "objects", hex.slice(0, 2), hex.slice(2))).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") throw new MissingObjectError(hex);
        throw err;
      },
    );
    return parseLoose(hex, inflateSync(bytes));
  }
}
