import { describe, expect, it } from "vitest";
import { PhaseTimer } from "./phase-timer.js";

describe("PhaseTimer", () => {
  it("records each phase as the time since the previous lap, in order, repeats summed", () => {
    let t = 100;
    const timer = new PhaseTimer(() => t);
    t = 130;
    timer.lap("source");
    t = 180.4;
    timer.lap("build");
    t = 200;
    timer.lap("source");
    expect(timer.summary()).toEqual({ source: 50, build: 50 });
    expect(Object.keys(timer.summary())).toEqual(["source", "build"]);
  });
});
