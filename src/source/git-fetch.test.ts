import { describe, expect, it } from "vitest";
import { fetchArguments, readFetchResponse, readUploadPackResponse, uploadPackRequest } from "./git-fetch.js";
import { commandRequest } from "./git-remote.js";

function pkt(s: string | Buffer): Buffer {
  const body = Buffer.isBuffer(s) ? s : Buffer.from(s);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, "0")), body]);
}

async function* from(buf: Buffer, size = 3): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
}

const A = "a".repeat(40);
const B = "b".repeat(40);

describe("uploadPackRequest", () => {
  it("writes wants with capabilities, shallows, deepen, a flush, haves and done", () => {
    const body = uploadPackRequest({
      want: A,
      capabilities: ["ofs-delta", "agent=x"],
      shallows: [B],
      depth: 1,
      haves: [B],
    });
    expect(body.toString()).toBe(
      `0044want ${A} ofs-delta agent=x\n0035shallow ${B}\n000ddeepen 1\n00000032have ${B}\n0009done\n`,
    );
  });
});

describe("readUploadPackResponse", () => {
  it("collects shallow lines, skips the negotiation and demultiplexes band 1", async () => {
    const body = Buffer.concat([
      pkt(`shallow ${A}\n`),
      pkt(`unshallow ${B}\n`),
      Buffer.from("0000"),
      pkt("NAK\n"),
      pkt(Buffer.concat([Buffer.from([2]), Buffer.from("Counting objects\n")])),
      pkt(Buffer.concat([Buffer.from([1]), Buffer.from("PACK-part-1")])),
      pkt(Buffer.concat([Buffer.from([1]), Buffer.from("-part-2")])),
      Buffer.from("0000"),
    ]);
    const r = await readUploadPackResponse(from(body));
    expect([...r.shallow]).toEqual([A]);
    expect([...r.unshallow]).toEqual([B]);
    expect((await collect(r.pack)).toString()).toBe("PACK-part-1-part-2");
  });

  it("reports the server's errors", async () => {
    await expect(readUploadPackResponse(from(pkt("ERR upload-pack: not our ref\n")))).rejects.toThrow(
      "the git server refused the fetch: upload-pack: not our ref",
    );
    const r = await readUploadPackResponse(
      from(
        Buffer.concat([
          pkt(`ACK ${A}\n`),
          pkt(Buffer.concat([Buffer.from([3]), Buffer.from("out of memory\n")])),
        ]),
      ),
    );
    await expect(collect(r.pack)).rejects.toThrow("the git server failed: out of memory");
    await expect(readUploadPackResponse(from(Buffer.from("0000")))).rejects.toThrow("before sending a pack");
  });
});

describe("a v2 fetch", () => {
  it("asks with the command, our agent, a delimiter, then the same wants, shallows, depth and haves", () => {
    const args = fetchArguments({ want: A, shallows: [B], depth: 1, haves: [B] });
    expect(commandRequest("fetch", args).toString()).toBe(
      `0012command=fetch\n0012agent=mooring\n0001000eofs-delta\n0010no-progress\n0035shallow ${B}\n` +
        `000ddeepen 1\n0032want ${A}\n0032have ${B}\n0009done\n0000`,
    );
  });

  it("reads the shallow-info section, skips others and demultiplexes the packfile section", async () => {
    const body = Buffer.concat([
      pkt("shallow-info\n"),
      pkt(`shallow ${A}\n`),
      pkt(`unshallow ${B}\n`),
      Buffer.from("0001"),
      pkt("wanted-refs\n"),
      pkt(`${A} refs/heads/main\n`),
      Buffer.from("0001"),
      pkt("packfile\n"),
      pkt(Buffer.concat([Buffer.from([2]), Buffer.from("Enumerating objects\n")])),
      pkt(Buffer.concat([Buffer.from([1]), Buffer.from("PACK-part-1")])),
      pkt(Buffer.concat([Buffer.from([1]), Buffer.from("-part-2")])),
      Buffer.from("0000"),
    ]);
    const r = await readFetchResponse(from(body));
    expect([...r.shallow]).toEqual([A]);
    expect([...r.unshallow]).toEqual([B]);
    expect((await collect(r.pack)).toString()).toBe("PACK-part-1-part-2");
  });

  it("reports the server's errors and a response without a pack", async () => {
    await expect(readFetchResponse(from(pkt("ERR upload-pack: not our ref\n")))).rejects.toThrow(
      "the git server refused the fetch: upload-pack: not our ref",
    );
    await expect(
      readFetchResponse(from(Buffer.concat([pkt("acknowledgments\n"), pkt("NAK\n"), Buffer.from("0000")]))),
    ).rejects.toThrow("before sending a pack");
    const r = await readFetchResponse(
      from(
        Buffer.concat([
          pkt("packfile\n"),
          pkt(Buffer.concat([Buffer.from([3]), Buffer.from("out of memory\n")])),
        ]),
      ),
    );
    await expect(collect(r.pack)).rejects.toThrow("the git server failed: out of memory");
  });
});
