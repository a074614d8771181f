import { describe, expect, it } from "vitest";
import { HealthWaits } from "./health-waits.js";

const source = { kind: "GitRepository", namespace: "ns", name: "repo" };

describe("HealthWaits", () => {
  it("a new revision cancels waits on older ones of the same source only", () => {
    const waits = new HealthWaits();
    const old = waits.start("ns/a", source, "rev1", new AbortController().signal);
    const same = waits.start("ns/b", source, "rev2", new AbortController().signal);
    expect(waits.cancelForNewRevision(source, "rev2")).toEqual(["ns/a"]);
    expect(old.signal.aborted).toBe(true);
    expect((old.signal.reason as Error).message).toBe("a new revision is available");
    expect(same.signal.aborted).toBe(false);
  });

  it("close ends running waits and every wait started afterwards (issue 14: shutdown)", () => {
    const waits = new HealthWaits();
    const running = waits.start("ns/a", source, "rev1", new AbortController().signal);
    waits.close("the controller is shutting down");
    const later = waits.start("ns/b", source, "rev1", new AbortController().signal);
    for (const w of [running, later]) {
      expect(w.signal.aborted).toBe(true);
      expect((w.signal.reason as Error).message).toBe("the controller is shutting down");
    }
  });
});
