import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KustomizationSpec } from "../api/index.js";
import { UNLIMITED } from "../kustomize/index.js";
import { defaultWarmThreads, RenderPool } from "./render-pool.js";
import type { KubeObject } from "../apply/types.js";
import { checkObjectSizes, type RenderRequest } from "./render-manifests.js";

const spec = {
  interval: "1m",
  prune: true,
  sourceRef: { kind: "GitRepository", name: "x" },
} as KustomizationSpec;
let root: string;
let pool: RenderPool;

async function tree(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(root, name);
  await import("node:fs/promises").then((fs) => fs.mkdir(dir, { recursive: true }));
  for (const [rel, text] of Object.entries(files)) await writeFile(path.join(dir, rel), text);
  return dir;
}

const request = (dir: string, extra: Partial<RenderRequest> = {}): RenderRequest => ({
  root,
  dir,
  spec,
  substituteFrom: undefined,
  strictSubstitution: true,
  limits: UNLIMITED,
  ...extra,
});

const cm = (name: string, data = "v"): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: ${data}\n`;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "render-pool-"));
  pool = new RenderPool({ size: 2, maxHeapBytes: 64 * 1024 * 1024 });
});

afterAll(async () => {
  await pool.close();
  await rm(root, { recursive: true, force: true });
});

describe("RenderPool: builds on worker threads with limits (issue 14)", () => {
  it(
    "renders a kustomization on a thread (the TypeScript worker loads under vitest)",
    { timeout: 60_000 },
    async () => {
      const dir = await tree("ok", { "kustomization.yaml": "resources: [a.yaml]\n", "a.yaml": cm("a") });
      const objects = await pool.render(request(dir), { timeoutMs: 60_000 });
      expect(objects.map((o) => o.metadata.name)).toEqual(["a"]);
    },
  );

  it("reports a build error with its message", async () => {
    const dir = await tree("missing", { "kustomization.yaml": "resources: [gone.yaml]\n" });
    await expect(pool.render(request(dir), { timeoutMs: 60_000 })).rejects.toThrow(
      /'gone\.yaml' does not exist/,
    );
  });

  it("stops a build past its heap limit and names the limit; the pool keeps working", async () => {
    // 300,000 keys (5 MB of text) need far more than a 64 MiB heap once parsed.
    const keys = Array.from({ length: 300_000 }, (_, i) => `  k${i}: v${i}`).join("\n");
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n${keys}\n`;
    const dir = await tree("heap", { "kustomization.yaml": "resources: [big.yaml]\n", "big.yaml": big });
    await expect(pool.render(request(dir), { timeoutMs: 300_000 })).rejects.toThrow(
      "build exceeded its 64 MiB heap limit (controller flag --build-max-heap-bytes)",
    );
    const ok = await tree("after-heap", { "kustomization.yaml": "resources: [a.yaml]\n", "a.yaml": cm("a") });
    expect(await pool.render(request(ok), { timeoutMs: 60_000 })).toHaveLength(1);
  }, 300_000);

  it("stops a build past spec.timeout and names it", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`cm${i}.yaml`] = cm(`cm${i}`);
    files["kustomization.yaml"] = `resources:\n${Object.keys(files)
      .map((f) => `- ${f}`)
      .join("\n")}\n`;
    const dir = await tree("slow", files);
    await expect(pool.render(request(dir), { timeoutMs: 1 })).rejects.toThrow(
      "build did not finish within spec.timeout 1ms",
    );
  });

  it("applies the input limits inside the thread", async () => {
    const dir = await tree("limits", {
      "kustomization.yaml": "resources: [a.yaml]\n",
      "a.yaml": cm("a", "x".repeat(2000)),
    });
    const limits = { ...UNLIMITED, maxFileBytes: 1000 };
    await expect(pool.render(request(dir, { limits }), { timeoutMs: 60_000 })).rejects.toThrow(
      /a\.yaml: file is 2\d{3} bytes, over the 1000 bytes limit per file/,
    );
  });
});

describe("objects too large for the API server (issue 14)", () => {
  it("fail before sending, with size and limit; several give one message and a count", () => {
    const big = (name: string): KubeObject => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "ns" },
      data: { k: "x".repeat(2 * 1024 * 1024) },
    });
    expect(() => checkObjectSizes([big("a")])).toThrow(
      /^ConfigMap\/ns\/a is 2\.0 MiB, over the 1\.5 MiB the API server stores per object/,
    );
    expect(() => checkObjectSizes([big("a"), big("b"), big("c")])).toThrow(/\(and 2 more errors\)$/);
    expect(() => checkObjectSizes([{ ...big("a"), data: { k: "small" } }])).not.toThrow();
  });
});

describe("build threads that render at once", () => {
  it("leave one core to the controller's own thread, and are at least one", () => {
    expect(defaultWarmThreads(1)).toBe(1);
    expect(defaultWarmThreads(2)).toBe(1);
    expect(defaultWarmThreads(8)).toBe(7);
  });
});
