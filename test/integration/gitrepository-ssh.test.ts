/**
 * Issue 21: GitRepositories over SSH against a real OpenSSH server (Debian's sshd, git-shell),
 * with Flux's Secret format: every key type, an encrypted key, a refused key, a wrong or missing
 * host key, a missing repository, the no-op poll (one ls-refs, no pack, read from the server's
 * trace), the same artifact as over HTTP, and a Kustomization applying from the SSH source.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { GitRepo } from "../../src/dev/git-server/index.js";
import {
  SSH_KEY_TYPES,
  sshKeygen,
  startSshGitServer,
  type SshGitServer,
} from "../../src/dev/ssh-server/index.js";
import { conditionOf, useTestNamespace, waitForCondition, waitForObject } from "../support/kube.js";
import { assertKstatusRules, GR, KustomizationHarness, kubectlOk } from "../support/kustomization-harness.js";

const ns = useTestNamespace("gitrepo-ssh");
let harness: KustomizationHarness;
let ssh: SshGitServer;
let repo: GitRepo;
let keys: string;
/** Every private key and passphrase used: none may appear in a condition, event or log line. */
const secretMaterial: string[] = [];
const PASSPHRASE = "correct horse battery staple";

type Repo = {
  metadata: { generation?: number };
  status?: { artifact?: { revision?: string; digest?: string }; lastHandledReconcileAt?: string };
};

async function secret(name: string, data: Record<string, string>): Promise<void> {
  const body = { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns() }, stringData: data };
  await kubectlOk(["apply", "-f", "-"], stringify(body));
}

const gr = (name: string) => ({ ...GR, name, namespace: ns() });

async function fetchFailed(name: string, reason: string): Promise<string> {
  const obj = await waitForCondition(gr(name), "FetchFailed", "True", { reason, timeoutMs: 60_000 });
  assertKstatusRules(obj);
  expect(conditionOf(obj, "Ready")).toMatchObject({ status: "False", reason });
  return conditionOf(obj, "FetchFailed")?.message ?? "";
}

async function readyAt(name: string, revision: string): Promise<Repo> {
  return waitForObject<Repo & { kind: string }>(gr(name), (o) => o.status?.artifact?.revision === revision, {
    timeoutMs: 60_000,
  });
}

beforeAll(async () => {
  harness = await KustomizationHarness.start(ns);
  ssh = await startSshGitServer();
  keys = await mkdtemp(join(tmpdir(), "ssh-test-keys-"));
  repo = await harness.git.createRepo("ssh-app");
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "over-ssh" }, data: { via: "ssh" } };
  await repo.commit({ files: { "app/cm.yaml": stringify(cm), "app/skip.txt": "ignored" }, message: "first" });
  for (const type of SSH_KEY_TYPES) {
    const key = await sshKeygen(keys, `id_${type}`, type);
    await ssh.authorize(key.publicKey);
    secretMaterial.push(key.privateKey);
    await secret(`key-${type}`, { identity: key.privateKey, known_hosts: ssh.knownHosts });
  }
  const encrypted = await sshKeygen(keys, "id_encrypted", "ed25519", PASSPHRASE);
  await ssh.authorize(encrypted.publicKey);
  secretMaterial.push(encrypted.privateKey, PASSPHRASE);
  await secret("key-encrypted", {
    identity: encrypted.privateKey,
    password: PASSPHRASE,
    known_hosts: ssh.knownHosts,
  });
  await secret("key-encrypted-nopass", { identity: encrypted.privateKey, known_hosts: ssh.knownHosts });
  const stranger = await sshKeygen(keys, "id_stranger", "ed25519");
  secretMaterial.push(stranger.privateKey);
  await secret("key-refused", { identity: stranger.privateKey, known_hosts: ssh.knownHosts });
  const ed = (await sshKeygen(keys, "other_host", "ed25519")).publicKey.split(" ").slice(0, 2).join(" ");
  await secret("wrong-host-key", {
    identity: secretMaterial[0] ?? "",
    known_hosts: `[127.0.0.1]:${ssh.port} ${ed}\n`,
  });
  await secret("no-host-entry", { identity: secretMaterial[0] ?? "", known_hosts: `github.com ${ed}\n` });
}, 600_000);

afterAll(async () => {
  await harness?.stop();
  await ssh?.stop();
  if (keys) await rm(keys, { recursive: true, force: true });
});

describe("GitRepository over SSH (issue 21)", () => {
  it("becomes Ready with each key type, and the artifact is the one HTTP gives", async () => {
    const revision = await harness.createSource(repo, "over-http");
    const http = await readyAt("over-http", revision);
    for (const type of SSH_KEY_TYPES) {
      const name = `with-${type}`;
      await harness.applySource(name, {
        url: ssh.urlFor(repo.barePath),
        interval: "1h",
        ref: { branch: "main" },
        secretRef: { name: `key-${type}` },
      });
      const obj = await readyAt(name, revision);
      expect(obj.status?.artifact?.digest).toBe(http.status?.artifact?.digest);
    }
  });

  it("reads an encrypted key with the Secret's password, and says so when it is missing", async () => {
    const revision = `main@sha1:${await repo.revParse("main")}`;
    const spec = (secretName: string) => ({
      url: ssh.urlFor(repo.barePath),
      interval: "1h",
      ref: { branch: "main" },
      secretRef: { name: secretName },
    });
    await harness.applySource("encrypted", spec("key-encrypted"));
    await readyAt("encrypted", revision);
    await harness.applySource("encrypted-nopass", spec("key-encrypted-nopass"));
    expect(await fetchFailed("encrypted-nopass", "AuthenticationFailed")).toContain(
      "add its passphrase to the Secret as 'password'",
    );
  });

  it("fails clearly on a refused key, a wrong host key, a missing known_hosts entry and a missing repository", async () => {
    const spec = (secretName: string, path = repo.barePath) => ({
      url: ssh.urlFor(path),
      interval: "1h",
      ref: { branch: "main" },
      secretRef: { name: secretName },
    });
    await harness.applySource("refused", spec("key-refused"));
    await harness.applySource("wrong-host", spec("wrong-host-key"));
    await harness.applySource("unknown-host", spec("no-host-entry"));
    await harness.applySource("no-repo", spec("key-ed25519", "/nowhere/missing.git"));
    expect(await fetchFailed("refused", "AuthenticationFailed")).toContain(
      "the server refused the key 'identity'",
    );
    const mismatch = await fetchFailed("wrong-host", "GitOperationFailed");
    expect(mismatch).toContain("knownhosts: key mismatch");
    expect(mismatch).toContain(`ssh-keyscan -p ${ssh.port} 127.0.0.1`);
    const unknown = await fetchFailed("unknown-host", "GitOperationFailed");
    expect(unknown).toContain(
      `knownhosts: key is unknown: 'known_hosts' has no entry for '[127.0.0.1]:${ssh.port}'`,
    );
    expect(await fetchFailed("no-repo", "GitOperationFailed")).toContain("repository not found");
    // The server saw the refused key and never ran git for it.
    expect(await ssh.log()).toMatch(/Failed publickey for git/);
    // Failing objects retry with backoff: delete them so the next test counts only its own traffic.
    const failing = ["refused", "wrong-host", "unknown-host", "no-repo", "encrypted-nopass"];
    await kubectlOk(["delete", "gitrepository", "-n", ns(), "--wait", ...failing]);
  });

  it("polls an unchanged remote with one ls-refs and no pack; a push is fetched", async () => {
    const name = "with-ed25519";
    await ssh.clearTraffic();
    const at = `${Date.now()}`;
    await kubectlOk([
      "annotate",
      "--overwrite",
      "-n",
      ns(),
      "gitrepository",
      name,
      `reconcile.fluxcd.io/requestedAt=${at}`,
    ]);
    await waitForObject<Repo & { kind: string }>(gr(name), (o) => o.status?.lastHandledReconcileAt === at);
    expect(await ssh.traffic()).toEqual({ uploadPacks: 1, lsRefs: 1, wants: 0, packs: 0 });
    const head = await repo.commit({ files: { "app/more.txt": "x" }, message: "second" });
    await ssh.clearTraffic();
    await kubectlOk([
      "annotate",
      "--overwrite",
      "-n",
      ns(),
      "gitrepository",
      name,
      `reconcile.fluxcd.io/requestedAt=${at}-2`,
    ]);
    await readyAt(name, `main@sha1:${head}`);
    expect((await ssh.traffic()).packs).toBe(1);
  });

  it("serves a Kustomization that applies from the SSH source, with spec.ignore", async () => {
    await harness.applySource("for-ks", {
      url: ssh.urlFor(repo.barePath),
      interval: "1h",
      ref: { branch: "main" },
      secretRef: { name: "key-ecdsa" },
      ignore: "app/skip.txt\napp/more.txt\n",
    });
    await harness.createKs("app", {
      sourceRef: { kind: "GitRepository", name: "for-ks" },
      path: "./app",
      targetNamespace: ns(),
    });
    await harness.condition("app", "Ready", "True");
    const cm = JSON.parse(await kubectlOk(["get", "configmap", "over-ssh", "-n", ns(), "-o", "json"])) as {
      data: Record<string, string>;
    };
    expect(cm.data).toEqual({ via: "ssh" });
  });

  it("never puts a private key or passphrase into conditions, events or logs", async () => {
    const dumped = [
      await kubectlOk(["get", "gitrepositories", "-n", ns(), "-o", "yaml"]),
      await kubectlOk(["get", "events", "-n", ns(), "-o", "yaml"]),
      harness.source.logs.join("\n"),
    ].join("\n");
    for (const material of secretMaterial) {
      for (const line of material.split("\n").filter((l) => l.length > 20))
        expect(dumped).not.toContain(line);
    }
  });
});
