/**
 * Issue 16, item 3: `flux tree artifact generator` (the flux CLI built from its Go module) prints
 * the ExternalArtifacts an ArtifactGenerator reconciled by mooring lists in its inventory, and
 * `flux get sources all` and `kubectl get` show the new kinds with Flux's columns.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { ensureFluxCli } from "../../src/dev/flux/build.js";
import { type GitServer, startGitServer } from "../../src/dev/git-server/index.js";
import type { RunningController } from "../../src/main.js";
import { startInProcessController } from "../support/in-process-controller.js";
import {
  kubeconfigPath,
  kubectlOk,
  randomSuffix,
  useTestNamespace,
  waitForCondition,
} from "../support/kube.js";

const ns = useTestNamespace("flux-ag");
const shard = `flux-ag-${randomSuffix()}`;
const labels = { "sharding.fluxcd.io/key": shard };
const stop = new AbortController();
let running: RunningController | undefined;
let storage = "";
let git: GitServer | undefined;
let flux = "";

function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn(flux, [...args, "-n", ns()], {
      env: { ...process.env, KUBECONFIG: kubeconfigPath() },
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("close", (code) => done({ code: code ?? 1, out }));
  });
}

beforeAll(async () => {
  flux = await ensureFluxCli({
    cacheRoot: join(mooringCacheDir(process.env), "flux-cli"),
    log: (l) => console.log(l),
  });
  git = await startGitServer();
  const repo = await git.createRepo("mono", { defaultBranch: "main" });
  await repo.commit({ files: { "apps/a/cm.yaml": "a: 1\n", "apps/b/cm.yaml": "b: 1\n" }, message: "apps" });
  storage = await mkdtemp(join(tmpdir(), "flux-ag-storage-"));
  ({ running } = await startInProcessController({
    storagePath: storage,
    shard,
    instance: "flux-ag-test",
    signal: stop.signal,
    flags: { featureGates: "ExternalArtifact=true" },
  }));
  const gr = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "mono", namespace: ns(), labels },
    spec: { url: repo.url, interval: "1h", ref: { branch: "main" } },
  };
  const ag = {
    apiVersion: "source.extensions.fluxcd.io/v1beta1",
    kind: "ArtifactGenerator",
    metadata: { name: "apps", namespace: ns(), labels },
    spec: {
      sources: [{ alias: "repo", kind: "GitRepository", name: "mono" }],
      artifacts: ["a", "b"].map((app) => ({
        name: `app-${app}`,
        copy: [{ from: `@repo/apps/${app}/**`, to: "@artifact/" }],
      })),
    },
  };
  await kubectlOk(["apply", "-f", "-"], `${stringify(gr)}---\n${stringify(ag)}`);
  await waitForCondition(
    { apiVersion: ag.apiVersion, kind: ag.kind, name: "apps", namespace: ns() },
    "Ready",
    "True",
    { timeoutMs: 90_000 },
  );
}, 600_000);

afterAll(async () => {
  stop.abort();
  await running?.done.catch(() => undefined);
  await git?.stop();
  await rm(storage, { recursive: true, force: true });
});

describe("flux CLI on ArtifactGenerators (issue 16)", () => {
  it("flux tree artifact generator lists the generated ExternalArtifacts", async () => {
    const res = await run(["tree", "artifact", "generator", "apps"]);
    expect(res.code, res.out).toBe(0);
    expect(res.out).toContain(`ArtifactGenerator/${ns()}/apps`);
    expect(res.out).toContain(`ExternalArtifact/${ns()}/app-a`);
    expect(res.out).toContain(`ExternalArtifact/${ns()}/app-b`);
  });

  it("kubectl get shows Flux's printer columns for both kinds", async () => {
    const ag = await kubectlOk(["get", "artifactgenerators", "-n", ns()]);
    expect(ag.split("\n")[0]).toMatch(/^NAME\s+AGE\s+READY\s+STATUS$/);
    expect(ag).toMatch(/apps\s+\S+\s+True\s+reconciliation succeeded, generated 2 artifact\(s\)/);
    const ea = await kubectlOk(["get", "externalartifacts", "-n", ns()]);
    expect(ea.split("\n")[0]).toMatch(/^NAME\s+AGE\s+READY\s+STATUS\s+SOURCE$/);
    expect(ea).toMatch(/app-a\s+\S+\s+True\s+Artifact is ready\s+apps/);
  });
});
