/**
 * Issue 20, item 3, on the real control plane: the Receiver (notification.toolkit.fluxcd.io/v1)
 * served by the real controller (`--receiver-addr=127.0.0.1:0`). A signed GitHub push webhook
 * makes a new commit applied with the GitRepository and Kustomization on a 1h interval; each type
 * refuses a bad signature or token (401) and an unlisted event (403) without annotating anything;
 * `*` with matchLabels annotates exactly the matching objects; a suspended Receiver answers 503;
 * a missing Secret is Ready=False TokenNotFound with no path served; a type mooring does not
 * verify stalls with a message saying so.
 */
import { createHash, createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startGitServer, type GitRepo, type GitServer } from "../../src/dev/git-server/index.js";
import type { RunningController } from "../../src/main.js";
import { startInProcessController } from "../support/in-process-controller.js";
import { assertKstatusRules } from "../support/kustomization-harness.js";
import {
  conditionOf,
  eventually,
  kubectlOk,
  randomSuffix,
  readObject,
  useTestNamespace,
  waitForCondition,
  waitForObject,
} from "../support/kube.js";

const ns = useTestNamespace("receiver");
const shard = `receiver-${randomSuffix()}`;
const labels = { "sharding.fluxcd.io/key": shard };
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
const RCV = { apiVersion: "notification.toolkit.fluxcd.io/v1", kind: "Receiver" };
const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";
const TOKEN = `token-${randomSuffix(8)}`;
const body = JSON.stringify({ ref: "refs/heads/main" });
const hmac = (alg: string, key = TOKEN, data = body): string =>
  `${alg}=${createHmac(alg, key).update(data).digest("hex")}`;

const stop = new AbortController();
let running: RunningController | undefined;
let storage = "";
let git: GitServer | undefined;

async function apply(obj: object): Promise<void> {
  await kubectlOk(["apply", "-f", "-"], stringify(obj));
}

/** A GitRepository outside the controller's shard: annotated by webhooks, never reconciled. */
async function inertRepo(name: string, extraLabels: Record<string, string> = {}): Promise<void> {
  await apply({
    ...GR,
    metadata: { name, namespace: ns(), labels: extraLabels },
    spec: { url: "http://127.0.0.1:1/inert.git", interval: "1h", suspend: true },
  });
}

async function requestedAt(kind: typeof GR | typeof KS, name: string): Promise<string | undefined> {
  const obj = await readObject({ ...kind, name, namespace: ns() });
  return obj?.metadata?.annotations?.[REQUESTED_AT];
}

/** Creates a Receiver (with its token Secret unless `secret` is false) and waits until it is Ready. */
async function receiver(name: string, spec: Record<string, unknown>, secret = true): Promise<string> {
  if (secret)
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `${name}-token`, namespace: ns() },
      stringData: { token: TOKEN },
    });
  await apply({
    ...RCV,
    metadata: { name, namespace: ns(), labels },
    spec: { secretRef: { name: `${name}-token` }, ...spec },
  });
  if (!secret) return "";
  const ready = await waitForCondition({ ...RCV, name, namespace: ns() }, "Ready", "True");
  assertKstatusRules(ready);
  const path = (ready as { status?: { webhookPath?: string } }).status?.webhookPath ?? "";
  expect(path).toBe(
    `/hook/${createHash("sha256")
      .update(TOKEN + name + ns())
      .digest("hex")}`,
  );
  expect(conditionOf(ready, "Ready")?.message).toBe(`Receiver initialized for path: ${path}`);
  // The server reads the informer's cache, a moment behind the API server: a GET (refused with
  // 405 once the path is known, 404 before) says when it has the path, without triggering it.
  await eventually("the webhook server to know the path", async () =>
    (await post(path, {}, { method: "GET" })).status === 405 ? true : undefined,
  );
  return path;
}

async function post(
  path: string,
  headers: Record<string, string>,
  init: { method?: string; data?: string } = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${running?.receiverPort}${path}`, {
    method: init.method ?? "POST",
    headers: { "content-type": "application/json", ...headers },
    ...(init.method === "GET" ? {} : { body: init.data ?? body }),
  });
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  storage = await mkdtemp(join(tmpdir(), "receiver-storage-"));
  git = await startGitServer();
  ({ running } = await startInProcessController({
    storagePath: storage,
    shard,
    instance: "receiver-test",
    signal: stop.signal,
  }));
}, 60_000);

afterAll(async () => {
  stop.abort();
  await running?.done.catch(() => undefined);
  await git?.stop();
  await rm(storage, { recursive: true, force: true });
});

const configMap = (value: string): string =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "pushed" }, data: { value } });

describe("Receiver (issue 20, item 3)", () => {
  it("a signed GitHub push applies the new commit at once, with 1h intervals", async () => {
    expect(running?.receiverPort).toBeGreaterThan(0);
    const repo: GitRepo = await git!.createRepo(`receiver-${randomSuffix()}`, { defaultBranch: "main" });
    await repo.commit({ files: { "cm.yaml": configMap("one") }, message: "one" });
    await apply({
      ...GR,
      metadata: { name: "app", namespace: ns(), labels },
      spec: { url: repo.url, interval: "1h", ref: { branch: "main" } },
    });
    await apply({
      ...KS,
      metadata: { name: "app", namespace: ns(), labels },
      spec: {
        interval: "1h",
        prune: true,
        path: "./",
        targetNamespace: ns(),
        sourceRef: { kind: "GitRepository", name: "app" },
      },
    });
    await waitForCondition({ ...KS, name: "app", namespace: ns() }, "Ready", "True", { timeoutMs: 90_000 });
    const path = await receiver("github-push", {
      type: "github",
      events: ["push"],
      resources: [{ kind: "GitRepository", name: "app" }],
    });
    await repo.commit({ files: { "cm.yaml": configMap("two") }, message: "two" });
    const res = await post(path, { "x-hub-signature-256": hmac("sha256"), "x-github-event": "push" });
    expect(res).toEqual({ status: 200, text: "reconciliation requested for 1 object(s)\n" });
    expect(await requestedAt(GR, "app")).toBeDefined();
    const cm = await waitForObject<KubernetesObject & { data?: Record<string, string> }>(
      { apiVersion: "v1", kind: "ConfigMap", name: "pushed", namespace: ns() },
      (o) => o.data?.value === "two",
      { timeoutMs: 60_000 },
    );
    expect(cm.data?.value).toBe("two");
  }, 180_000);

  it("github: a wrong or missing signature is refused with 401, an unlisted event with 403", async () => {
    await inertRepo("gh-target");
    const path = await receiver("github-checks", {
      type: "github",
      events: ["push"],
      resources: [{ kind: "GitRepository", name: "gh-target" }],
    });
    const wrongKey = await post(path, {
      "x-hub-signature-256": hmac("sha256", "wrong"),
      "x-github-event": "push",
    });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.text).toContain("the GitHub signature header is invalid");
    expect(wrongKey.text).not.toContain(TOKEN);
    const tampered = await post(
      path,
      { "x-hub-signature-256": hmac("sha256"), "x-github-event": "push" },
      { data: '{"ref":"refs/heads/evil"}' },
    );
    expect(tampered.status).toBe(401);
    expect((await post(path, { "x-github-event": "push" })).status).toBe(401);
    const ping = await post(path, { "x-hub-signature-256": hmac("sha256"), "x-github-event": "ping" });
    expect(ping).toEqual({ status: 403, text: 'the GitHub event "ping" is not authorised\n' });
    expect(await requestedAt(GR, "gh-target")).toBeUndefined();
    // The legacy sha1 header is accepted, as by Flux.
    expect((await post(path, { "x-hub-signature": hmac("sha1"), "x-github-event": "push" })).status).toBe(
      200,
    );
    expect(await requestedAt(GR, "gh-target")).toBeDefined();
  }, 120_000);

  it("gitlab: X-Gitlab-Token must match; events compare case-insensitively", async () => {
    await inertRepo("gl-target");
    const path = await receiver("gitlab", {
      type: "gitlab",
      events: ["Push Hook"],
      resources: [{ kind: "GitRepository", name: "gl-target" }],
    });
    expect((await post(path, { "x-gitlab-token": "nope", "x-gitlab-event": "Push Hook" })).status).toBe(401);
    expect((await post(path, { "x-gitlab-token": TOKEN, "x-gitlab-event": "Tag Push Hook" })).status).toBe(
      403,
    );
    expect(await requestedAt(GR, "gl-target")).toBeUndefined();
    expect((await post(path, { "x-gitlab-token": TOKEN, "x-gitlab-event": "push hook" })).status).toBe(200);
    expect(await requestedAt(GR, "gl-target")).toBeDefined();
  }, 120_000);

  it("generic-hmac: X-Signature sha256= or sha1= over the body", async () => {
    await inertRepo("hmac-target");
    const path = await receiver("hmac", {
      type: "generic-hmac",
      resources: [{ kind: "GitRepository", name: "hmac-target" }],
    });
    expect((await post(path, { "x-signature": hmac("sha256", "wrong") })).status).toBe(401);
    expect((await post(path, {})).status).toBe(401);
    expect(await requestedAt(GR, "hmac-target")).toBeUndefined();
    expect((await post(path, { "x-signature": hmac("sha256") })).status).toBe(200);
    const first = await requestedAt(GR, "hmac-target");
    expect(first).toBeDefined();
    // The value is the request's time in ms: wait until the clock has moved past the first one.
    await eventually(
      "the clock to pass the first request",
      async () => (new Date().toISOString() > (first ?? "") ? true : undefined),
      undefined,
      { intervalMs: 1 },
    );
    expect((await post(path, { "x-signature": hmac("sha1") })).status).toBe(200);
    expect(await requestedAt(GR, "hmac-target")).not.toBe(first);
  }, 120_000);

  it("generic: the path is the secret; only POST; unknown paths are 404", async () => {
    await inertRepo("generic-target");
    const path = await receiver("generic", {
      type: "generic",
      resources: [{ kind: "GitRepository", name: "generic-target" }],
    });
    expect((await post(path, {}, { method: "GET" })).status).toBe(405);
    expect((await post(`/hook/${"0".repeat(64)}`, {})).status).toBe(404);
    expect(await requestedAt(GR, "generic-target")).toBeUndefined();
    expect((await post(path, {})).status).toBe(200);
    expect(await requestedAt(GR, "generic-target")).toBeDefined();
  }, 120_000);

  it("'*' with matchLabels annotates exactly the matching objects", async () => {
    await inertRepo("team-a-1", { team: "a" });
    await inertRepo("team-a-2", { team: "a" });
    await inertRepo("team-b", { team: "b" });
    const path = await receiver("wildcard", {
      type: "generic",
      resources: [{ kind: "GitRepository", name: "*", matchLabels: { team: "a" } }],
    });
    const res = await post(path, {});
    expect(res).toEqual({ status: 200, text: "reconciliation requested for 2 object(s)\n" });
    expect(await requestedAt(GR, "team-a-1")).toBeDefined();
    expect(await requestedAt(GR, "team-a-2")).toBeDefined();
    expect(await requestedAt(GR, "team-b")).toBeUndefined();
  }, 120_000);

  it("a suspended Receiver answers 503 and annotates nothing", async () => {
    await inertRepo("suspended-target");
    const path = await receiver("suspended", {
      type: "generic",
      resources: [{ kind: "GitRepository", name: "suspended-target" }],
    });
    await kubectlOk([
      "patch",
      "receiver",
      "suspended",
      "-n",
      ns(),
      "--type=merge",
      "-p",
      '{"spec":{"suspend":true}}',
    ]);
    await waitForObject(
      { ...RCV, name: "suspended", namespace: ns() },
      (o) => (o as { spec?: { suspend?: boolean } }).spec?.suspend === true,
    );
    // The webhook server reads the cache; wait until it has the suspended spec.
    const res = await eventually("the webhook server to see the suspended spec", async () => {
      const answer = await post(path, {});
      return answer.status === 503 ? answer : undefined;
    });
    expect(res).toEqual({ status: 503, text: "receiver is suspended\n" });
    expect(await requestedAt(GR, "suspended-target")).toBeUndefined();
  }, 120_000);

  it("a missing Secret is Ready=False TokenNotFound with no path; creating it makes the Receiver Ready", async () => {
    await receiver(
      "no-secret",
      { type: "generic", resources: [{ kind: "GitRepository", name: "x" }] },
      false,
    );
    const failed = await waitForCondition({ ...RCV, name: "no-secret", namespace: ns() }, "Ready", "False", {
      reason: "TokenNotFound",
    });
    assertKstatusRules(failed);
    expect(conditionOf(failed, "Ready")?.message).toBe(
      `unable to read token from secret '${ns()}/no-secret-token': secret not found`,
    );
    expect((failed as { status?: { webhookPath?: string } }).status?.webhookPath).toBeUndefined();
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "no-secret-token", namespace: ns() },
      stringData: { token: TOKEN },
    });
    const ready = await waitForCondition({ ...RCV, name: "no-secret", namespace: ns() }, "Ready", "True", {
      timeoutMs: 60_000,
    });
    expect((ready as { status?: { webhookPath?: string } }).status?.webhookPath).toMatch(
      /^\/hook\/[0-9a-f]{64}$/,
    );
  }, 120_000);

  it("a type mooring does not verify stalls with a message naming the supported ones", async () => {
    await receiver("quay", { type: "quay", resources: [{ kind: "GitRepository", name: "x" }] }, false);
    const stalled = await waitForCondition({ ...RCV, name: "quay", namespace: ns() }, "Stalled", "True", {
      reason: "UnsupportedField",
    });
    assertKstatusRules(stalled);
    expect(conditionOf(stalled, "Ready")?.message).toContain(
      "spec.type 'quay' is not implemented by mooring; use one of generic, generic-hmac, github, gitlab",
    );
    const table = await kubectlOk(["get", "receiver", "quay", "-n", ns()]);
    expect(table.split("\n")[0]).toMatch(/^NAME\s+AGE\s+READY\s+STATUS$/);
    expect(table).toContain("spec.type 'quay' is not implemented by mooring");
  }, 120_000);
});
