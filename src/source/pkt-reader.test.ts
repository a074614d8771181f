import { describe, expect, it } from "vitest";
import { PktReader } from "./pkt-reader.js";

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p, "latin1");
}

describe("PktReader (issue 21)", () => {
  it("reads packets split across chunks, keeps raw bytes, and hands over the rest", async () => {
    const r = new PktReader(chunks("000eve", "rsion 2\n00", "010000", "PACKdata", "more"));
    expect(await r.next()).toEqual({ kind: "data", raw: Buffer.from("000eversion 2\n") });
    expect((await r.next())?.kind).toBe("delim");
    expect((await r.next())?.kind).toBe("flush");
    const rest: string[] = [];
    for await (const c of r.rest()) rest.push(c.toString("latin1"));
    expect(rest.join("")).toBe("PACKdatamore");
  });

  it("ends cleanly between packets and fails inside one or on a bad length", async () => {
    expect(await new PktReader(chunks("0000")).next()).toMatchObject({ kind: "flush" });
    expect(await new PktReader(chunks()).next()).toBeUndefined();
    await expect(new PktReader(chunks("0010abc")).next()).rejects.toThrow(/inside a packet/);
    await expect(new PktReader(chunks("zzzz")).next()).rejects.toThrow(/malformed/);
  });
});
