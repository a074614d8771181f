import { describe, expect, it } from "vitest";
import { FreshReads } from "./fresh-reads.js";
import { Store } from "./store.js";

type Obj = { metadata: { name: string; namespace: string; resourceVersion: string } };
const obj = (resourceVersion: string): Obj => ({ metadata: { name: "a", namespace: "ns", resourceVersion } });

/** A store holding `a` at resourceVersion 1, and FreshReads over it on a settable clock. */
function setup(): { store: Store<Obj>; reads: FreshReads<Obj>; clock: { t: number } } {
  const store = new Store<Obj>();
  store.set(obj("1"));
  const clock = { t: 0 };
  return { store, reads: new FreshReads(store, 30_000, () => clock.t), clock };
}

/** What the informer does on a watch event: the store first, then the handlers. */
function deliver(store: Store<Obj>, reads: FreshReads<Obj>, next: Obj): void {
  const old = store.set(next);
  if (old === undefined) reads.handler.onAdd?.(next);
  else reads.handler.onUpdate?.(old, next);
}

describe("FreshReads", () => {
  it("serves the cache when nothing was written", () => {
    const { reads } = setup();
    expect(reads.get("ns/a")).toEqual({ fresh: true, obj: obj("1") });
    expect(reads.get("ns/b")).toEqual({ fresh: true, obj: undefined });
  });

  it("sends reads past the cache from a write until the watch shows its version", () => {
    const { store, reads } = setup();
    reads.wrote("ns/a", "3");
    expect(reads.get("ns/a")).toEqual({ fresh: false });
    deliver(store, reads, obj("2")); // an older write arrives first
    expect(reads.get("ns/a")).toEqual({ fresh: false });
    deliver(store, reads, obj("3"));
    expect(reads.get("ns/a")).toEqual({ fresh: true, obj: obj("3") });
  });

  it("needs no wait when the watch showed the write before the answer came", () => {
    const { store, reads } = setup();
    deliver(store, reads, obj("2"));
    reads.wrote("ns/a", "2");
    expect(reads.get("ns/a")).toEqual({ fresh: true, obj: obj("2") });
  });

  it("stops waiting for a version the watch never shows after maxWaitMs", () => {
    const { reads, clock } = setup();
    reads.wrote("ns/a", "9");
    clock.t = 29_999;
    expect(reads.get("ns/a").fresh).toBe(false);
    clock.t = 30_000;
    expect(reads.get("ns/a")).toEqual({ fresh: true, obj: obj("1") });
  });

  it("forgets a deleted object's write, and a write to an object that is gone", () => {
    const { store, reads } = setup();
    reads.wrote("ns/a", "3");
    store.delete("ns/a");
    reads.handler.onDelete?.(obj("2"), { finalStateUnknown: false });
    expect(reads.get("ns/a")).toEqual({ fresh: true, obj: undefined });
    reads.wrote("ns/a", "4");
    reads.wrote("ns/a", undefined);
    expect(reads.get("ns/a").fresh).toBe(true);
  });

  it("read serves the cache when fresh and reads live otherwise", async () => {
    const { reads } = setup();
    const live = (): Promise<Obj | undefined> => Promise.resolve(obj("live"));
    expect(await reads.read("ns/a", live)).toEqual(obj("1"));
    reads.wrote("ns/a", "3");
    expect(await reads.read("ns/a", live)).toEqual(obj("live"));
  });
});
