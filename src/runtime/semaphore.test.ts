import { describe, expect, it } from "vitest";
import { Semaphore } from "./semaphore.js";

describe("Semaphore", () => {
  it("caps concurrency and serves waiters in order", async () => {
    const sem = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) =>
      sem.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2)); // the work itself: overlaps the other tasks
        order.push(i);
        running--;
        return i;
      });
    const results = await Promise.all([1, 2, 3, 4, 5].map(task));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(sem.inUse).toBe(0);
  });

  it("releases the slot when the task throws", async () => {
    const sem = new Semaphore(1);
    await expect(sem.run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
    await expect(sem.run(async () => 1)).resolves.toBe(1);
  });

  it("rejects a bad capacity", () => {
    expect(() => new Semaphore(0)).toThrow();
  });
});
