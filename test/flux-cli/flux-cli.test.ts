/**
 * The `flux` CLI (built from its Go module at a pinned release) against mooring on the real
 * control plane: what a Flux user types must work unchanged (issue 7, item 6).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { controllerConfig } from "../../src/config.js";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { ensureFluxCli, FLUX_CLI_VERSION } from "../../src/dev/flux/build.js";
import { startGitServer, type GitRepo, type GitServer } from "../../src/dev/git-server/index.js";
import { startController } from "../../src/main.js";
import { createLogger } from "../../src/runtime/logging.js";
import {
  kubeconfigPath,
  kubectl,
  readObject,
  runUntilMatches,
  useTestNamespace,
  waitForCondition,
  waitForObject,
} from "../support/kube.js";

const ns = useTestNamespace("flux-cli");
let flux = "";
let git: GitServer;
let repo: GitRepo;
let storage = "";
const stop = new AbortController();
let done: Promise<void> | undefined;

const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", name: "demo" };
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", name: "demo" };

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

const demo = resolve(import.meta.dirname, "../../examples/demo");
const demoFile = async (path: string): Promise<string> =>
  (await import("node:fs/promises")).readFile(join(demo, path), "utf8");

beforeAll(async () => {
  flux = await ensureFluxCli({
    cacheRoot: join(mooringCacheDir(process.env), "flux-cli"),
    log: (l) => console.log(l),
  });
  git = await startGitServer();
  repo = await git.createRepo("demo", { defaultBranch: "main" });
  const files: Record<string, string> = {};
  for (const f of [
    "base/kustomization.yaml",
    "base/deployment.yaml",
    "base/service.yaml",
    "overlays/prod/kustomization.yaml",
  ])
    files[f] = await demoFile(f);
  // The demo's own Namespace would be shared between test runs: build into the test namespace.
  files["overlays/prod/kustomization.yaml"] = files["overlays/prod/kustomization.yaml"]!.replace(
    "namespace: demo",
    `namespace: ${ns()}`,
  ).replace("  - namespace.yaml\n", "");
  await repo.commit({ files, message: "demo app" });
  storage = await mkdtemp(join(tmpdir(), "flux-cli-storage-"));
  const config = controllerConfig(
    {
      kubeconfig: kubeconfigPath(),
      storagePath: storage,
      storageAddr: "127.0.0.1:0",
      metricsAddr: "127.0.0.1:0",
      healthAddr: "127.0.0.1:0",
      receiverAddr: "127.0.0.1:0",
    },
    {},
  );
  const running = await startController(
    config,
    { inCluster: false, isTTY: false, instance: "flux-cli-test" },
    stop.signal,
    createLogger({ level: "error", encoding: "json" }),
  );
  done = running.done;
  const source = {
    apiVersion: GR.apiVersion,
    kind: GR.kind,
    metadata: { name: "demo", namespace: ns() },
    spec: { url: repo.url, interval: "1h", ref: { branch: "main" } },
  };
  const ks = {
    apiVersion: KS.apiVersion,
    kind: KS.kind,
    metadata: { name: "demo", namespace: ns() },
    spec: {
      interval: "1h",
      path: "./overlays/prod",
      prune: true,
      sourceRef: { kind: "GitRepository", name: "demo" },
    },
  };
  expect((await kubectl(["apply", "-f", "-"], `${stringify(source)}---\n${stringify(ks)}`)).code).toBe(0);
  await waitForCondition({ ...KS, namespace: ns() }, "Ready", "True", { timeoutMs: 60_000 });
}, 900_000);

afterAll(async () => {
  stop.abort();
  await done?.catch(() => undefined);
  await git?.stop();
  if (storage) await rm(storage, { recursive: true, force: true });
});

describe(`flux ${FLUX_CLI_VERSION} against mooring`, () => {
  it("flux get sources git shows the artifact revision and Ready", async () => {
    const ready =
      /demo\s+main@sha1:[0-9a-f]{8}\s+False\s+True\s+stored artifact for revision 'main@sha1:[0-9a-f]{8}'/;
    const { code, out } = await runUntilMatches(() => run(["get", "sources", "git"]), ready);
    expect(code).toBe(0);
    expect(out).toMatch(ready);
  });

  it("flux get kustomizations shows the applied revision", async () => {
    const ready = /demo\s+main@sha1:[0-9a-f]{8}\s+False\s+True\s+Applied revision: main@sha1:[0-9a-f]{8}/;
    const { code, out } = await runUntilMatches(() => run(["get", "kustomizations"]), ready);
    expect(code).toBe(0);
    expect(out).toMatch(ready);
  });

  it("flux reconcile kustomization --with-source applies a pushed change", async () => {
    const overlay = (await demoFile("overlays/prod/kustomization.yaml"))
      .replace("namespace: demo", `namespace: ${ns()}`)
      .replace("  - namespace.yaml\n", "");
    const sha = await repo.commit({
      files: { "overlays/prod/kustomization.yaml": overlay.replace("count: 2", "count: 3") },
      message: "scale to 3",
    });
    const { code, out } = await run(["reconcile", "kustomization", "demo", "--with-source"]);
    expect(out).toContain(`fetched revision main@sha1:${sha}`);
    expect(out).toContain(`applied revision main@sha1:${sha}`);
    expect(code).toBe(0);
    const deploy = (await readObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "web",
      namespace: ns(),
    })) as { spec: { replicas: number } };
    expect(deploy.spec.replicas).toBe(3);
  });

  it("flux tree kustomization lists the inventory", async () => {
    const { code, out } = await run(["tree", "kustomization", "demo"]);
    expect(code).toBe(0);
    expect(out).toContain(`Kustomization/${ns()}/demo`);
    expect(out).toContain(`Deployment/${ns()}/web`);
    expect(out).toContain(`Service/${ns()}/web`);
    expect(out).toMatch(new RegExp(`ConfigMap/${ns()}/web-config-[a-z0-9]{10}`));
  });

  it("flux suspend and resume kustomization", async () => {
    const suspended = await run(["suspend", "kustomization", "demo"]);
    expect(suspended.code).toBe(0);
    await waitForObject(
      { ...KS, namespace: ns() },
      (o) => (o as { spec?: { suspend?: boolean } }).spec?.suspend === true,
    );
    const listed = await run(["get", "kustomizations"]);
    expect(listed.out).toMatch(/demo\s+\S+\s+True\s+/);
    const resumed = await run(["resume", "kustomization", "demo"]);
    expect(resumed.out).toContain("applied revision");
    expect(resumed.code).toBe(0);
  });

  it("flux events shows the controllers' events", async () => {
    const { code, out } = await run(["events"]);
    expect(code).toBe(0);
    expect(out).toMatch(/NewArtifact\s+GitRepository\/demo/);
    expect(out).toMatch(/ReconciliationSucceeded\s+Kustomization\/demo/);
  });
});
