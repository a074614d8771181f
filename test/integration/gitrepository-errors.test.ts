/**
 * Issue 4 acceptance, credentials and bad input: basic and bearer auth against protected
 * servers, wrong credentials give AuthenticationFailed, secrets never appear in status, events or
 * logs; unreachable hosts, missing refs, empty repositories, unmatched semver ranges, SSH URLs,
 * oversized repositories and bad secrets each end Ready=False with Flux's reason, and the last
 * good artifact keeps being served.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { GIT_REPOSITORY } from "../../src/api/index.js";
import { computeStatus } from "../../src/apply/health/kstatus.js";
import { startGitServer, type GitServer } from "../../src/dev/git-server/index.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";
import type { KubeObject } from "../../src/util/kube-object.js";
import {
  kubectlOk,
  randomSuffix,
  readObject,
  testKubeConfig,
  useTestNamespace,
  waitForCondition,
  waitForObject,
} from "../support/kube.js";
import { namespacedObjects } from "../support/flux-objects.js";

const ns = useTestNamespace("gitrepo-errors");
const shard = randomSuffix();
const LABEL = "mooring.test/shard";
const PASSWORD = "pa55-w0rd-" + randomSuffix(6);
const TOKEN = "t0ken-" + randomSuffix(8);
let open: GitServer;
let basic: GitServer;
let bearer: GitServer;
let source: SourceHarness;

async function applySecret(name: string, data: Record<string, string>): Promise<void> {
  const obj = { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns() }, stringData: data };
  await kubectlOk(["apply", "-f", "-"], stringify(obj));
}

const { ref, apply: applyRepo } = namespacedObjects(GIT_REPOSITORY, ns, { [LABEL]: shard });
type Cond = { type: string; status: string; reason: string; message: string };
const cond = (o: KubernetesObject, type: string): Cond | undefined =>
  (o as { status?: { conditions?: Cond[] } }).status?.conditions?.find((c) => c.type === type);

async function failsWith(name: string, reason: string, condition = "FetchFailed"): Promise<Cond> {
  // Wait for a finished attempt: while a retry runs, Flux's progressive status shows
  // Reconciling=Progressing next to the previous attempt's Ready=False (the object never
  // succeeded, so every retry counts as a new generation).
  const obj = await waitForObject(ref(name), (o) => {
    const ready = cond(o, "Ready");
    return (
      ready?.status === "False" &&
      ready.reason === reason &&
      cond(o, "Reconciling")?.reason === "ProgressingWithRetry"
    );
  });
  const c = cond(obj, condition);
  expect(c, `${condition} on ${name}`).toMatchObject({ status: "True", reason });
  // kstatus: a failed attempt that will be retried is InProgress, never Current.
  expect(computeStatus(obj as KubeObject, { now: Date.now() }).status).toBe("InProgress");
  expect(cond(obj, "Reconciling")?.reason).toBe("ProgressingWithRetry");
  return cond(obj, "Ready")!;
}

beforeAll(async () => {
  await kubectlOk([
    "apply",
    "--server-side",
    "--force-conflicts",
    "--field-manager=mooring-tests",
    "-k",
    join(import.meta.dirname, "..", "..", "crds"),
  ]);
  await kubectlOk(["wait", "--for=condition=Established", "--timeout=60s", `crd/${GIT_REPOSITORY.crdName}`]);
  open = await startGitServer();
  basic = await startGitServer({ auth: { basic: { username: "git", password: PASSWORD } } });
  bearer = await startGitServer({ auth: { bearerToken: TOKEN } });
  for (const s of [open, basic, bearer]) {
    const r = await s.createRepo("app");
    await r.commit({ files: { "app.yaml": "a: 1\n" } });
  }
  const big = await open.createRepo("big");
  await big.commit({ files: { "blob.bin": randomBytes(400_000) } });
  await open.createRepo("empty");
  source = await startSourceController(testKubeConfig(), {
    labelSelector: `${LABEL}=${shard}`,
    maxPackBytes: 200_000,
  });
});

afterAll(async () => {
  await source?.stop();
  for (const s of [open, basic, bearer]) await s?.stop();
});

describe("GitRepository credentials (issue 4)", () => {
  it("authenticates with basic and bearer secrets", async () => {
    await applySecret("basic-ok", { username: "git", password: PASSWORD });
    await applySecret("bearer-ok", { bearerToken: TOKEN });
    await applyRepo("basic-ok", {
      url: `${basic.url}/app.git`,
      interval: "10m",
      ref: { branch: "main" },
      secretRef: { name: "basic-ok" },
    });
    await applyRepo("bearer-ok", {
      url: `${bearer.url}/app.git`,
      interval: "10m",
      ref: { branch: "main" },
      secretRef: { name: "bearer-ok" },
    });
    await waitForCondition(ref("basic-ok"), "Ready", "True");
    await waitForCondition(ref("bearer-ok"), "Ready", "True");
  });

  it("reports AuthenticationFailed for wrong, missing and contradictory credentials", async () => {
    await applySecret("basic-bad", { username: "git", password: `${PASSWORD}-wrong` });
    await applySecret("bearer-bad", { bearerToken: `${TOKEN}-wrong` });
    await applySecret("no-user", { password: PASSWORD });
    await applySecret("both", { username: "git", password: PASSWORD, bearerToken: TOKEN });
    await applyRepo("basic-bad", {
      url: `${basic.url}/app.git`,
      interval: "10m",
      ref: { branch: "main" },
      secretRef: { name: "basic-bad" },
    });
    await applyRepo("bearer-bad", {
      url: `${bearer.url}/app.git`,
      interval: "10m",
      ref: { branch: "main" },
      secretRef: { name: "bearer-bad" },
    });
    await applyRepo("no-secret", {
      url: `${basic.url}/app.git`,
      interval: "10m",
      ref: { branch: "main" },
      secretRef: { name: "absent" },
    });
    await applyRepo("no-user", {
      url: `${basic.url}/app.git`,
      interval: "10m",
      ref: { branch: "main" },
      secretRef: { name: "no-user" },
    });
    await applyRepo("both", {
      url: `${basic.url}/app.git`,
      interval: "10m",
      ref: { branch: "main" },
      secretRef: { name: "both" },
    });
    expect((await failsWith("basic-bad", "AuthenticationFailed")).message).toMatch(/HTTP 401/);
    await failsWith("bearer-bad", "AuthenticationFailed");
    expect((await failsWith("no-secret", "AuthenticationFailed")).message).toContain(
      `secrets "absent" not found`,
    );
    expect((await failsWith("no-user", "AuthenticationFailed")).message).toContain("'username' is missing");
    expect((await failsWith("both", "AuthenticationFailed")).message).toContain("cannot be used together");
  });

  it("never shows a password or token in status, events or logs", async () => {
    const all = await kubectlOk(["get", "gitrepositories,events", "-n", ns(), "-o", "yaml"]);
    expect(all).toContain("AuthenticationFailed");
    for (const secret of [PASSWORD, TOKEN, Buffer.from(`git:${PASSWORD}`).toString("base64")]) {
      expect(all).not.toContain(secret);
      expect(source.logs.join("\n")).not.toContain(secret);
    }
    expect(source.logs.length).toBeGreaterThan(0);
  });
});

describe("GitRepository bad input (issue 4)", () => {
  it("unreachable host, missing branch and tag, empty repository, no semver match", async () => {
    await applyRepo("unreachable", { url: "http://127.0.0.1:1/app.git", interval: "10m", timeout: "5s" });
    await applyRepo("no-branch", { url: `${open.url}/app.git`, interval: "10m", ref: { branch: "nope" } });
    await applyRepo("no-tag", { url: `${open.url}/app.git`, interval: "10m", ref: { tag: "v9" } });
    await applyRepo("empty", { url: `${open.url}/empty.git`, interval: "10m", ref: { branch: "main" } });
    await applyRepo("no-semver", { url: `${open.url}/app.git`, interval: "10m", ref: { semver: ">=1.0.0" } });
    expect((await failsWith("unreachable", "GitOperationFailed")).message).toMatch(
      /cannot reach the git server \(ECONNREFUSED\)/,
    );
    expect((await failsWith("no-branch", "GitOperationFailed")).message).toContain(
      `couldn't find remote ref "refs/heads/nope"`,
    );
    expect((await failsWith("no-tag", "GitOperationFailed")).message).toContain(`refs/tags/v9`);
    await failsWith("empty", "EmptyGitRepository");
    expect((await failsWith("no-semver", "GitOperationFailed")).message).toContain("no tags found");
  });

  it("stalls on an ssh:// URL with spec.proxySecretRef (not supported over SSH, issue 21)", async () => {
    await applyRepo("ssh-proxy", {
      url: "ssh://git@example.com/org/repo.git",
      interval: "10m",
      proxySecretRef: { name: "some-proxy" },
    });
    const obj = await waitForCondition(ref("ssh-proxy"), "Stalled", "True", { reason: "UnsupportedField" });
    expect(cond(obj, "Stalled")?.message).toMatch(
      /proxySecretRef is not supported by mooring with an ssh:\/\/ URL/,
    );
    expect(cond(obj, "Ready")).toMatchObject({ status: "False", reason: "UnsupportedField" });
    expect(cond(obj, "Reconciling")).toBeUndefined();
    expect(computeStatus(obj as KubeObject, { now: Date.now() }).status).toBe("Failed");
    expect((obj as { status?: { observedGeneration?: number } }).status?.observedGeneration).toBe(
      obj.metadata?.generation,
    );
  });

  it("gives up after spec.timeout on a slow server", async () => {
    const slow = await startGitServer({ latencyMs: 3_000 });
    try {
      const r = await slow.createRepo("slow");
      await r.commit({ files: { f: "1" } });
      await applyRepo("slow", { url: r.url, interval: "10m", timeout: "1s" });
      expect((await failsWith("slow", "GitOperationFailed")).message).toContain(
        "operation timed out after 1s",
      );
    } finally {
      await slow.stop();
    }
  });

  it("refuses an oversized repository with a clear message", async () => {
    await applyRepo("big", { url: `${open.url}/big.git`, interval: "10m", ref: { branch: "main" } });
    expect((await failsWith("big", "GitOperationFailed")).message).toMatch(
      /exceeds the maximum size of 200000 bytes/,
    );
  });

  it("keeps serving the last good artifact when fetching starts failing", async () => {
    await applyRepo("last-good", { url: `${open.url}/app.git`, interval: "10m", ref: { branch: "main" } });
    const good = await waitForCondition(ref("last-good"), "Ready", "True");
    const artifact = (good as { status?: { artifact?: { url: string; revision: string } } }).status!
      .artifact!;
    await applyRepo("last-good", { url: `${open.url}/app.git`, interval: "10m", ref: { branch: "gone" } });
    await failsWith("last-good", "GitOperationFailed");
    const now = (await readObject(ref("last-good"))) as { status?: { artifact?: { revision: string } } };
    expect(now.status?.artifact?.revision).toBe(artifact.revision);
    expect(cond(now as KubernetesObject, "ArtifactInStorage")?.status).toBe("True");
    expect((await fetch(artifact.url)).status).toBe(200);
    await waitForObject(ref("last-good"), (o) => cond(o, "Reconciling")?.reason === "ProgressingWithRetry");
  });
});
