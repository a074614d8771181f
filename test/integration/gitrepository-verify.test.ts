/**
 * Issue 15, `GitRepository.spec.verify`, end to end: commits and tags signed by real `git` with
 * `gpg` (keys in temporary GnuPG homes) or `ssh-keygen` keys (`gpg.format=ssh`), served by the
 * real git server, verified by the source controller against the public keys of a Secret, on the
 * real control plane.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { GIT_REPOSITORY } from "../../src/api/index.js";
import { startGitServer, type GitRepo, type GitServer } from "../../src/dev/git-server/index.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";
import { createGpgKey, createSshSigningKey, type GpgKey, type SshSigningKey } from "../support/gpg.js";
import {
  conditionOf,
  randomSuffix,
  testKubeConfig,
  useTestNamespace,
  waitForObject,
} from "../support/kube.js";
import { namespacedObjects } from "../support/flux-objects.js";
import { assertKstatusRules, kubectlOk } from "../support/kustomization-harness.js";

const ns = useTestNamespace("gitrepo-verify");
const shard = randomSuffix();
const LABEL = "mooring.test/shard";
let git: GitServer;
let source: SourceHarness;
let trusted: GpgKey;
let stranger: GpgKey;

const { ref, apply: applyRepo } = namespacedObjects(GIT_REPOSITORY, ns, { [LABEL]: shard });

/** Waits until GitRepository `name` satisfies `check` and returns it. */
async function settled(name: string, check: (obj: any) => boolean): Promise<any> {
  const obj = await waitForObject(ref(name), (o) => check(o as any), { timeoutMs: 60_000 });
  assertKstatusRules(obj);
  return obj;
}

const verified = (obj: any) => conditionOf(obj, "SourceVerified");

async function requestReconcile(name: string): Promise<string> {
  const token = `t-${Date.now()}`;
  await kubectlOk([
    "annotate",
    "--overwrite",
    "gitrepository",
    name,
    "-n",
    ns(),
    `reconcile.fluxcd.io/requestedAt=${token}`,
  ]);
  return token;
}

beforeAll(async () => {
  [trusted, stranger] = await Promise.all([
    createGpgKey("Trusted Signer", "trusted@mooring.test"),
    createGpgKey("Stranger", "stranger@mooring.test"),
  ]);
  git = await startGitServer();
  source = await startSourceController(testKubeConfig(), { labelSelector: `${LABEL}=${shard}` });
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "pgp-keys", namespace: ns() },
    stringData: { "trusted.asc": trusted.publicKey },
  };
  await kubectlOk(["apply", "-f", "-"], stringify(secret));
});

afterAll(async () => {
  await source?.stop();
  await git?.stop();
  await trusted?.dispose();
  await stranger?.dispose();
});

describe("GitRepository spec.verify (issue 15)", () => {
  let repo: GitRepo;
  let signedHead = "";

  it("a HEAD commit signed with a trusted key verifies: SourceVerified True and an artifact", async () => {
    repo = await git.createRepo(`signed-${shard}`);
    signedHead = await repo.commit({ files: { "app/cm.yaml": "a: 1\n" }, sign: trusted });
    await applyRepo("head", {
      url: repo.url,
      interval: "1h",
      ref: { branch: "main" },
      verify: { mode: "HEAD", secretRef: { name: "pgp-keys" } },
    });
    const obj = await settled("head", (o) => conditionOf(o, "Ready")?.status === "True");
    expect(verified(obj)).toMatchObject({
      status: "True",
      reason: "Succeeded",
      message: `verified signature of\n\t- commit '${signedHead}' with key '${trusted.keyId}'`,
    });
    expect(obj.status.sourceVerificationMode).toBe("HEAD");
    expect(obj.status.artifact.revision).toBe(`main@sha1:${signedHead}`);
  });

  it("an unsigned commit fails with SourceVerified False and no artifact for it", async () => {
    const unsigned = await repo.commit({ files: { "app/cm.yaml": "a: 2\n" } });
    await requestReconcile("head");
    const obj = await settled("head", (o) => verified(o)?.status === "False");
    expect(verified(obj)).toMatchObject({
      reason: "InvalidCommitSignature",
      message: `signature verification of commit '${unsigned}' failed: unsupported signature type: empty`,
    });
    expect(conditionOf(obj, "Ready")).toMatchObject({ status: "False", reason: "InvalidCommitSignature" });
    expect(obj.status.artifact.revision).toBe(`main@sha1:${signedHead}`);
  });

  it("a commit signed with a key not in the Secret fails", async () => {
    const wrong = await repo.commit({ files: { "app/cm.yaml": "a: 3\n" }, sign: stranger });
    await requestReconcile("head");
    const obj = await settled("head", (o) => verified(o)?.message?.includes(wrong) === true);
    expect(verified(obj)).toMatchObject({
      status: "False",
      reason: "InvalidCommitSignature",
      message: `signature verification of commit '${wrong}' failed: unable to verify Git commit: unable to verify payload with any of the given key rings: no matching key`,
    });
    expect(obj.status.artifact.revision).toBe(`main@sha1:${signedHead}`);
    const path = source.storage.artifactPath("GitRepository", ns(), "head", `${wrong}.tar.gz`);
    expect(await source.storage.exists(path)).toBe(false);
  });

  it("recovers once a trusted commit is pushed; a missing key Secret is a VerificationError", async () => {
    const good = await repo.commit({ files: { "app/cm.yaml": "a: 4\n" }, sign: trusted });
    await requestReconcile("head");
    const obj = await settled("head", (o) => o.status?.artifact?.revision === `main@sha1:${good}`);
    expect(verified(obj)).toMatchObject({ status: "True", reason: "Succeeded" });
    expect(conditionOf(obj, "Ready")?.status).toBe("True");
    await applyRepo("no-secret", {
      url: repo.url,
      interval: "1h",
      ref: { branch: "main" },
      verify: { secretRef: { name: "missing-keys" } },
    });
    const missing = await settled("no-secret", (o) => verified(o)?.status === "False");
    expect(verified(missing)).toMatchObject({
      reason: "VerificationError",
      message: 'public keys secret error: secrets "missing-keys" not found',
    });
    expect(missing.status.artifact).toBeUndefined();
  });

  it("Tag and TagAndHEAD verify a signed annotated tag (and its commit)", async () => {
    const tagged = await git.createRepo(`tagged-${shard}`);
    const commit = await tagged.commit({ files: { "x.yaml": "x: 1\n" }, sign: trusted });
    await tagged.tag("v1.0.0", { message: "release", sign: trusted });
    const tagObject = await tagged.revParse("refs/tags/v1.0.0");
    const spec = (mode: string) => ({
      url: tagged.url,
      interval: "1h",
      ref: { tag: "v1.0.0" },
      verify: { mode, secretRef: { name: "pgp-keys" } },
    });
    await applyRepo("tag", spec("Tag"));
    await applyRepo("tag-and-head", spec("TagAndHEAD"));
    const tag = await settled("tag", (o) => conditionOf(o, "Ready")?.status === "True");
    expect(verified(tag)?.message).toBe(
      `verified signature of\n\t- tag 'v1.0.0@${tagObject}' with key '${trusted.keyId}'`,
    );
    expect(tag.status.sourceVerificationMode).toBe("Tag");
    const both = await settled("tag-and-head", (o) => conditionOf(o, "Ready")?.status === "True");
    expect(verified(both)?.message).toBe(
      `verified signature of\n\t- tag 'v1.0.0@${tagObject}' with key '${trusted.keyId}'\n\t- commit '${commit}' with key '${trusted.keyId}'`,
    );
  });

  it("an unsigned annotated tag fails with InvalidGitObject; Tag mode on a branch stalls", async () => {
    const plain = await git.createRepo(`plain-tag-${shard}`);
    await plain.commit({ files: { "x.yaml": "x: 1\n" }, sign: trusted });
    await plain.tag("v2.0.0", { message: "unsigned release" });
    const tagObject = await plain.revParse("refs/tags/v2.0.0");
    await applyRepo("unsigned-tag", {
      url: plain.url,
      interval: "1h",
      ref: { tag: "v2.0.0" },
      verify: { mode: "Tag", secretRef: { name: "pgp-keys" } },
    });
    const obj = await settled("unsigned-tag", (o) => verified(o)?.status === "False");
    expect(verified(obj)).toMatchObject({
      reason: "InvalidGitObject",
      message: `cannot verify signature of tag 'v2.0.0@${tagObject}' since it is not signed`,
    });
    expect(obj.status.artifact).toBeUndefined();
    await applyRepo("tag-on-branch", {
      url: plain.url,
      interval: "1h",
      ref: { branch: "main" },
      verify: { mode: "Tag", secretRef: { name: "pgp-keys" } },
    });
    const stalled = await settled("tag-on-branch", (o) => conditionOf(o, "Stalled")?.status === "True");
    expect(conditionOf(stalled, "Stalled")).toMatchObject({
      reason: "InvalidVerificationMode",
      message: "cannot verify tag object's signature if a tag reference is not specified",
    });
    expect(stalled.status.artifact).toBeUndefined();
  });

  describe("SSH signatures (gpg.format=ssh, *.sshpub keys)", () => {
    let signer: SshSigningKey;
    let other: SshSigningKey;
    const noMatch = "unable to verify payload with any of the given authorized keys: no matching key";

    beforeAll(async () => {
      [signer, other] = await Promise.all([createSshSigningKey("ed25519"), createSshSigningKey("ecdsa-256")]);
      const secret = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "ssh-keys", namespace: ns() },
        stringData: { "signer.sshpub": signer.publicKey, "trusted.asc": trusted.publicKey },
      };
      await kubectlOk(["apply", "-f", "-"], stringify(secret));
    });

    afterAll(async () => {
      await signer?.dispose();
      await other?.dispose();
    });

    it("an SSH-signed commit verifies against the .sshpub keys; a stranger's key fails with no artifact", async () => {
      const ssh = await git.createRepo(`ssh-${shard}`);
      const sha = await ssh.commit({ files: { "x.yaml": "x: 1\n" }, sign: signer });
      await applyRepo("ssh", {
        url: ssh.url,
        interval: "1h",
        ref: { branch: "main" },
        verify: { secretRef: { name: "ssh-keys" } },
      });
      const ok = await settled("ssh", (o) => conditionOf(o, "Ready")?.status === "True");
      expect(verified(ok)).toMatchObject({
        status: "True",
        reason: "Succeeded",
        message: `verified signature of\n\t- commit '${sha}' with key '${signer.fingerprint}'`,
      });
      expect(ok.status.artifact.revision).toBe(`main@sha1:${sha}`);
      const bad = await ssh.commit({ files: { "x.yaml": "x: 2\n" }, sign: other });
      await requestReconcile("ssh");
      const failed = await settled("ssh", (o) => verified(o)?.message?.includes(bad) === true);
      expect(verified(failed)).toMatchObject({
        status: "False",
        reason: "InvalidCommitSignature",
        message: `signature verification of commit '${bad}' failed: unable to verify Git commit SSH signature: ${noMatch}\npublic key does not match`,
      });
      expect(conditionOf(failed, "Ready")).toMatchObject({
        status: "False",
        reason: "InvalidCommitSignature",
      });
      expect(failed.status.artifact.revision).toBe(`main@sha1:${sha}`);
      const path = source.storage.artifactPath("GitRepository", ns(), "ssh", `${bad}.tar.gz`);
      expect(await source.storage.exists(path)).toBe(false);
    });

    it("TagAndHEAD verifies an SSH-signed tag; a tag signed by a stranger is InvalidTagSignature", async () => {
      const tagged = await git.createRepo(`ssh-tagged-${shard}`);
      const commit = await tagged.commit({ files: { "x.yaml": "x: 1\n" }, sign: signer });
      await tagged.tag("v1.0.0", { message: "release", sign: signer });
      await tagged.tag("v1.0.1", { message: "release", sign: other });
      const [good, bad] = await Promise.all([
        tagged.revParse("refs/tags/v1.0.0"),
        tagged.revParse("refs/tags/v1.0.1"),
      ]);
      const spec = (tag: string) => ({
        url: tagged.url,
        interval: "1h",
        ref: { tag },
        verify: { mode: "TagAndHEAD", secretRef: { name: "ssh-keys" } },
      });
      await applyRepo("ssh-tag", spec("v1.0.0"));
      await applyRepo("ssh-stranger-tag", spec("v1.0.1"));
      const ok = await settled("ssh-tag", (o) => conditionOf(o, "Ready")?.status === "True");
      expect(verified(ok)?.message).toBe(
        `verified signature of\n\t- tag 'v1.0.0@${good}' with key '${signer.fingerprint}'\n\t- commit '${commit}' with key '${signer.fingerprint}'`,
      );
      const failed = await settled("ssh-stranger-tag", (o) => verified(o)?.status === "False");
      expect(verified(failed)).toMatchObject({
        reason: "InvalidTagSignature",
        message: `signature verification of tag 'v1.0.1@${bad}' failed: unable to verify Git tag SSH signature: ${noMatch}\npublic key does not match`,
      });
      expect(failed.status.artifact).toBeUndefined();
    });

    it("an SSH signature with no .sshpub key in the Secret says so", async () => {
      const ssh = await git.createRepo(`ssh-no-keys-${shard}`);
      const sha = await ssh.commit({ files: { "x.yaml": "x: 1\n" }, sign: signer });
      await applyRepo("ssh-no-keys", {
        url: ssh.url,
        interval: "1h",
        ref: { branch: "main" },
        verify: { secretRef: { name: "pgp-keys" } },
      });
      const obj = await settled("ssh-no-keys", (o) => verified(o)?.status === "False");
      expect(verified(obj)).toMatchObject({
        reason: "InvalidCommitSignature",
        message: `signature verification of commit '${sha}' failed: SSH signature detected but no SSH public keys found in secret (keys with .sshpub suffix)`,
      });
      expect(obj.status.artifact).toBeUndefined();
    });
  });
});
