import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { deadline } from "./deadline.js";

describe("deadline", () => {
  it("aborts after the delay with the reason AbortSignal.timeout gives", async () => {
    const aborted = (s: AbortSignal): Promise<DOMException> =>
      new Promise((resolve) =>
        s.addEventListener("abort", () => resolve(s.reason as DOMException), { once: true }),
      );
    const [ours, node] = await Promise.all([
      aborted(deadline(new AbortController().signal, 10).signal),
      aborted(AbortSignal.timeout(10)),
    ]);
    expect(ours).toBeInstanceOf(DOMException);
    expect({ name: ours.name, message: ours.message }).toEqual({ name: node.name, message: node.message });
  });

  it("aborts with its parent, with the parent's reason", () => {
    const parent = new AbortController();
    const d = deadline(parent.signal, 60_000);
    parent.abort(new Error("stopping"));
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).message).toBe("stopping");
    d.release();
  });

  it("never times out once released, and leaves no listener on the parent", async () => {
    const parent = new AbortController();
    const d = deadline(parent.signal, 5);
    d.release();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(d.signal.aborted).toBe(false);
    expect(getEventListeners(parent.signal, "abort")).toHaveLength(0);
  });

  it("sets no timer for a delay a timer cannot hold (Node would fire it at once)", async () => {
    const d = deadline(new AbortController().signal, 2 ** 31);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(d.signal.aborted).toBe(false);
  });
});
