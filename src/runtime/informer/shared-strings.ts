/**
 * One copy of the strings that thousands of cached objects repeat (issue 19, S6 memory).
 *
 * Decoding JSON gives every object its own copy of each string value, and the informer caches keep
 * the objects for their lifetime: 10,000 Kustomizations hold 10,000 copies each of
 * "kustomize.toolkit.fluxcd.io/v1", "Kustomization", their namespace, "True", "Ready",
 * "ReconciliationSucceeded", the revision their source is at, and so on. The caches store their
 * objects with these strings swapped for one shared copy; the strings are equal, so nothing that
 * reads an object can tell.
 */

/** A bounded table of shared strings. */
export class StringTable {
  private readonly table = new Map<string, string>();

  /**
   * `maxEntries`: when full the table starts over, so a stream of unique values cannot grow it
   * without bound (strings already shared stay shared). `maxLength`: longer strings are kept as they
   * are (long values are rarely repeated, and the table would hold them after their objects go).
   */
  constructor(
    private readonly maxEntries: number,
    private readonly maxLength: number,
  ) {}

  /** The shared copy of `s` (`s` itself the first time). */
  shared(s: string): string {
    if (s.length > this.maxLength) return s;
    const known = this.table.get(s);
    if (known !== undefined) return known;
    if (this.table.size >= this.maxEntries) this.table.clear();
    this.table.set(s, s);
    return s;
  }

  get size(): number {
    return this.table.size;
  }
}

/**
 * The process's table, shared by every cache so that equal strings of different kinds (a
 * Kustomization's targetNamespace and its objects' namespace) are one copy. 65,536 entries of at
 * most 256 characters: a few MiB at worst.
 */
export const sharedStrings = new StringTable(65_536, 256);

/**
 * Values unique to one object (its name, uid, resourceVersion, an inventory entry's id): sharing
 * them saves nothing and would fill the table.
 */
const UNIQUE_KEYS: ReadonlySet<string> = new Set(["name", "uid", "resourceVersion", "generateName", "id"]);

type JsonContainer = Record<string, unknown> | unknown[];

const isContainer = (v: unknown): v is JsonContainer => typeof v === "object" && v !== null;

/**
 * Swaps, in place, the string values of a freshly decoded JSON value for their shared copies,
 * except those under {@link UNIQUE_KEYS}; returns `value`. Object keys are left alone (the JSON
 * decoder already shares them).
 */
export function shareStrings<T>(value: T, table: StringTable = sharedStrings): T {
  if (isContainer(value)) shareIn(value, table);
  return value;
}

function shareIn(container: JsonContainer, table: StringTable): void {
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) container[i] = sharedValue(container[i], table);
    return;
  }
  for (const key of Object.keys(container)) {
    const v = container[key];
    if (typeof v === "string") {
      if (!UNIQUE_KEYS.has(key)) container[key] = table.shared(v);
    } else if (isContainer(v)) shareIn(v, table);
  }
}

function sharedValue(v: unknown, table: StringTable): unknown {
  if (typeof v === "string") return table.shared(v);
  if (isContainer(v)) shareIn(v, table);
  return v;
}
