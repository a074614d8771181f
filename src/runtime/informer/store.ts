/**
 * The informer's cache: objects by `namespace/name` key plus secondary indexes (e.g.
 * Kustomizations by sourceRef), always mirroring what the server last said.
 */
import { keyOf } from "../reconciler.js";
import type { MetaObject } from "./types.js";

/** Computes the index values of an object (several allowed, none excluded). */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** A keyed, indexed object cache. */
export class Store<T extends MetaObject> {
  private readonly items = new Map<string, T>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly indexers: Record<string, IndexFunc<T>> = {};

  constructor(indexers: Readonly<Record<string, IndexFunc<T>>> = {}) {
    this.addIndexers(indexers);
  }

  /**
   * Adds indexes (several consumers of one shared informer each bring theirs); objects already
   * cached are indexed at once. A name may be registered again only with the same function.
   */
  addIndexers(indexers: Readonly<Record<string, IndexFunc<T>>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const known = this.indexers[name];
      if (known === fn) continue;
      if (known !== undefined) throw new Error(`index "${name}" is already registered with another function`);
      this.indexers[name] = fn;
      const index = new Map<string, Set<string>>();
      this.indexes.set(name, index);
      for (const [key, obj] of this.items) addToIndex(index, fn(obj), key);
    }
  }

  /** The object at `key` (`namespace/name`). */
  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** Every cached object. */
  list(): T[] {
    return [...this.items.values()];
  }

  /** Every key. */
  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** Objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (index === undefined) throw new Error(`no index named "${name}"`);
    return [...(index.get(value) ?? [])].map((k) => this.items.get(k)).filter((o): o is T => o !== undefined);
  }

  /** Inserts or replaces; returns the previous object. */
  set(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.items.set(key, obj);
    this.index(key, obj);
    return old;
  }

  /** Removes by key; returns the removed object. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  private index(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indexes.get(name);
      if (index !== undefined) addToIndex(index, fn(obj), key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indexes.get(name);
      for (const value of fn(obj)) {
        const set = index?.get(value);
        set?.delete(key);
        if (set?.size === 0) index?.delete(value);
      }
    }
  }
}

function addToIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    const set = index.get(value) ?? new Set<string>();
    set.add(key);
    index.set(value, set);
  }
}
