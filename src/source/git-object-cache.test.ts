import { describe, expect, it } from "vitest";
import { ObjectCache } from "./git-object-cache.js";

const blob = (text: string) => ({ type: "blob" as const, data: Buffer.from(text) });

describe("ObjectCache", () => {
  it("returns copies of what it keeps, so a caller's changes do not reach the cache", () => {
    const cache = new ObjectCache(64);
    cache.set("a", blob("hello"));
    const got = cache.get("a")!;
    expect(got.data.toString()).toBe("hello");
    got.data.fill(0);
    expect(cache.get("a")!.data.toString()).toBe("hello");
  });

  it("drops the oldest objects as the ring comes round, never returns overwritten bytes", () => {
    const cache = new ObjectCache(40);
    for (let i = 0; i < 20; i++) cache.set(`k${i}`, blob(`obj-${String(i).padStart(3, "0")}`));
    for (let i = 0; i < 20; i++) {
      const got = cache.get(`k${i}`);
      if (got !== undefined) expect(got.data.toString()).toBe(`obj-${String(i).padStart(3, "0")}`);
    }
    expect(cache.get("k19")?.data.toString()).toBe("obj-019");
    expect(cache.get("k0")).toBeUndefined();
  });

  it("keeps objects of mixed sizes, empty ones included, consistent across wraps", () => {
    const cache = new ObjectCache(100);
    const sizes = [0, 7, 25, 1, 0, 13, 24, 3, 25, 0, 9, 17, 22, 5];
    for (let round = 0; round < 5; round++)
      sizes.forEach((n, i) => {
        const key = `${round}-${i}`;
        cache.set(key, blob(key.padEnd(n, "x").slice(0, n)));
        for (let j = 0; j <= i; j++) {
          const k = `${round}-${j}`;
          const got = cache.get(k);
          if (got !== undefined)
            expect(got.data.toString()).toBe(k.padEnd(sizes[j]!, "x").slice(0, sizes[j]));
        }
        expect(cache.get(key)?.data.length).toBe(n);
      });
  });

  it("does not keep objects over a quarter of its size", () => {
    const cache = new ObjectCache(16);
    cache.set("big", blob("12345"));
    expect(cache.get("big")).toBeUndefined();
  });
});
