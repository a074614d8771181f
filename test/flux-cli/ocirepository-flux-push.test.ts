/**
 * Issue 16: an artifact pushed by the real `flux push artifact` (the flux CLI built from its Go
 * module) to CNCF distribution on 127.0.0.1 becomes an OCIRepository artifact, and a
 * Kustomization on it applies; the origin source and revision `flux push` records are kept.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { ensureFluxCli } from "../../src/dev/flux/build.js";
import { startRegistry, type Registry } from "../../src/dev/oci-registry/registry.js";
import type { RunningController } from "../../src/main.js";
import { startInProcessController } from "../support/in-process-controller.js";
import { kubectlOk, randomSuffix, readObject, useTestNamespace, waitForCondition } from "../support/kube.js";
import { registryBinaries } from "../support/oci.js";

const ns = useTestNamespace("flux-push");
const ORIGIN = "main@sha1:3333333333333333333333333333333333333333";
let registry: Registry | undefined;
const shard = `flux-push-${randomSuffix()}`;
const labels = { "sharding.fluxcd.io/key": shard };
const stop = new AbortController();
let running: RunningController | undefined;
let storage = "";
let flux = "";
let dir = "";

function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn(flux, args);
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("close", (code) => done({ code: code ?? 1, out }));
  });
}

beforeAll(async () => {
  flux = await ensureFluxCli({ cacheRoot: join(mooringCacheDir(process.env), "flux-cli"), log: console.log });
  registry = await startRegistry(await registryBinaries());
  storage = await mkdtemp(join(tmpdir(), "flux-push-storage-"));
  ({ running } = await startInProcessController({
    storagePath: storage,
    shard,
    instance: "flux-push-test",
    signal: stop.signal,
  }));
  dir = await mkdtemp(join(tmpdir(), "flux-push-"));
  await mkdir(join(dir, "deploy"));
  await writeFile(
    join(dir, "deploy", "cm.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pushed\ndata:\n  by: flux-push\n",
  );
}, 900_000);

afterAll(async () => {
  stop.abort();
  await running?.done.catch(() => undefined);
  await registry?.stop();
  for (const d of [dir, storage]) if (d) await rm(d, { recursive: true, force: true });
});

describe("flux push artifact → OCIRepository → Kustomization (issue 16)", () => {
  it("applies what `flux push artifact` pushed and records its revisions", async () => {
    if (!registry) throw new Error("set-up failed");
    const pushed = await run([
      "push",
      "artifact",
      `oci://${registry.host}/apps/pushed:v1`,
      `--path=${dir}`,
      "--source=https://example.com/pushed.git",
      `--revision=${ORIGIN}`,
      "--insecure-registry",
    ]);
    expect(pushed.code, pushed.out).toBe(0);
    const metadata = { name: "pushed", namespace: ns(), labels };
    const oci = {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata,
      spec: { url: `oci://${registry.host}/apps/pushed`, ref: { tag: "v1" }, interval: "1h" },
    };
    const kustomization = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata,
      spec: {
        sourceRef: { kind: "OCIRepository", name: "pushed" },
        path: "./deploy",
        targetNamespace: ns(),
        prune: true,
        interval: "1h",
      },
    };
    await kubectlOk(
      ["apply", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "List", items: [oci, kustomization] }),
    );
    const ks = (await waitForCondition(
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        name: "pushed",
        namespace: ns(),
      },
      "Ready",
      "True",
      { timeoutMs: 120_000 },
    )) as unknown as { status: { lastAppliedRevision?: string; lastAppliedOriginRevision?: string } };
    expect(ks.status.lastAppliedRevision).toMatch(/^v1@sha256:[0-9a-f]{64}$/);
    expect(ks.status.lastAppliedOriginRevision).toBe(ORIGIN);
    const cm = (await readObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: ns(),
      name: "pushed",
    })) as {
      data?: Record<string, string>;
    };
    expect(cm.data?.by).toBe("flux-push");
  }, 300_000);
});
