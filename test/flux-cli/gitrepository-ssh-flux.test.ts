/**
 * Issue 21 acceptance: the Secret and GitRepository exactly as the flux CLI writes them for an
 * `ssh://` repository (`flux create secret git --url=ssh://… --private-key-file=…`, which scans
 * the server's host key into `known_hosts` itself, and `flux create source git`), applied
 * unchanged against Debian's OpenSSH server, become Ready; a Kustomization made by
 * `flux create kustomization` on it applies.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { ensureFluxCli } from "../../src/dev/flux/build.js";
import { startGitServer, type GitServer } from "../../src/dev/git-server/index.js";
import { sshKeygen, startSshGitServer, type SshGitServer } from "../../src/dev/ssh-server/index.js";
import type { RunningController } from "../../src/main.js";
import { startInProcessController } from "../support/in-process-controller.js";
import {
  kubeconfigPath,
  kubectlOk,
  randomSuffix,
  readObject,
  useTestNamespace,
  waitForCondition,
} from "../support/kube.js";

const ns = useTestNamespace("flux-ssh");
const shard = `flux-ssh-${randomSuffix()}`;
const stop = new AbortController();
let running: RunningController | undefined;
let storage = "";
let keys = "";
let git: GitServer | undefined;
let ssh: SshGitServer | undefined;
let flux = "";
let url = "";
let privateKeyFile = "";

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(flux, [...args, "-n", ns()], {
      env: { ...process.env, KUBECONFIG: kubeconfigPath() },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("close", (code) => done({ code: code ?? 1, out, err }));
  });
}

/** Runs a `flux create … --export` command and applies its output unchanged. */
async function createAndApply(args: string[]): Promise<string> {
  const r = await run([...args, "--export"]);
  expect(r.code, r.err).toBe(0);
  await kubectlOk(["apply", "-n", ns(), "-f", "-"], r.out);
  return r.out;
}

beforeAll(async () => {
  flux = await ensureFluxCli({ cacheRoot: join(mooringCacheDir(process.env), "flux-cli"), log: console.log });
  git = await startGitServer();
  ssh = await startSshGitServer();
  const repo = await git.createRepo(`ssh-${randomSuffix()}`, { defaultBranch: "main" });
  const cm = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "from-ssh" },
    data: { via: "flux-cli" },
  };
  await repo.commit({ files: { "app/cm.yaml": stringify(cm) }, message: "app" });
  url = ssh.urlFor(repo.barePath);
  keys = await mkdtemp(join(tmpdir(), "flux-ssh-keys-"));
  const key = await sshKeygen(keys, "identity", "ed25519");
  await ssh.authorize(key.publicKey);
  privateKeyFile = key.privateKeyFile;
  storage = await mkdtemp(join(tmpdir(), "flux-ssh-storage-"));
  ({ running } = await startInProcessController({
    storagePath: storage,
    shard,
    instance: "flux-ssh-test",
    signal: stop.signal,
  }));
}, 900_000);

afterAll(async () => {
  stop.abort();
  await running?.done.catch(() => undefined);
  await ssh?.stop();
  await git?.stop();
  for (const dir of [storage, keys]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe("flux CLI output over SSH (issue 21)", () => {
  it("a Secret and GitRepository from `flux create` become Ready, and a Kustomization applies", async () => {
    const secretYaml = await createAndApply([
      "create",
      "secret",
      "git",
      "ssh-auth",
      `--url=${url}`,
      `--private-key-file=${privateKeyFile}`,
    ]);
    const secret = parseAllDocuments(secretYaml)[0]?.toJS() as { stringData?: Record<string, string> };
    // What flux bootstrap writes: the deploy key pair and the host key it scanned from the server.
    expect(Object.keys(secret.stringData ?? {}).sort()).toEqual(["identity", "identity.pub", "known_hosts"]);
    await createAndApply([
      "create",
      "source",
      "git",
      "app",
      `--url=${url}`,
      "--branch=main",
      "--secret-ref=ssh-auth",
      "--interval=1h",
      `--label=sharding.fluxcd.io/key=${shard}`,
    ]);
    const gr = {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      name: "app",
      namespace: ns(),
    };
    await waitForCondition(gr, "Ready", "True", { timeoutMs: 120_000 });
    await createAndApply([
      "create",
      "kustomization",
      "app",
      "--source=GitRepository/app",
      "--path=./app",
      "--prune=true",
      "--interval=1h",
      `--target-namespace=${ns()}`,
      `--label=sharding.fluxcd.io/key=${shard}`,
    ]);
    const ks = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      name: "app",
      namespace: ns(),
    };
    await waitForCondition(ks, "Ready", "True", { timeoutMs: 120_000 });
    const applied = (await readObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "from-ssh",
      namespace: ns(),
    })) as { data?: Record<string, string> } | undefined;
    expect(applied?.data?.via).toBe("flux-cli");
  }, 300_000);
});
