/**
 * Issue 15: `GitRepository.spec.proxySecretRef`. A small forwarding proxy (test support: plain
 * HTTP forwarding and CONNECT, on 127.0.0.1, requiring Proxy-Authorization) records what passes:
 * the fetch goes through it with the Secret's credentials, a wrong password fails with
 * AuthenticationFailed and a message that says so, and no proxy credential reaches status, events
 * or logs.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { GIT_REPOSITORY } from "../../src/api/constants.js";
import { startGitServer, type GitServer } from "../../src/dev/git-server/index.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";
import { startForwardProxy, type ForwardProxy } from "../support/forward-proxy.js";
import {
  type Condition,
  conditionOf,
  kubectlOk,
  randomSuffix,
  testKubeConfig,
  useTestNamespace,
  waitForCondition,
  waitForObject,
} from "../support/kube.js";

const ns = useTestNamespace("gitrepo-proxy");
const shard = randomSuffix();
const LABEL = "mooring.test/shard";
const USER = "proxy-user";
const PASSWORD = `pr0xy-${randomSuffix(6)}`;
const WRONG = `wr0ng-${randomSuffix(6)}`;

/** The proxy (test/support/forward-proxy.ts): `seen` and `refused` say what went through it. */
let proxy: ForwardProxy;
let proxyUrl: string;
let git: GitServer;
/** The same repository over HTTPS (self-signed, trusted through `ca.crt`): reached by CONNECT. */
let tlsGit: GitServer;
let tlsCert: string;
let source: SourceHarness;

const apply = (obj: Record<string, unknown>): Promise<string> =>
  kubectlOk(["apply", "-f", "-"], stringify(obj));

const proxySecret = (name: string, data: Record<string, string>) =>
  apply({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns() }, stringData: data });

const repository = (name: string, secret: string, https = false) =>
  apply({
    apiVersion: GIT_REPOSITORY.apiVersion,
    kind: GIT_REPOSITORY.kind,
    metadata: { name, namespace: ns(), labels: { [LABEL]: shard } },
    spec: {
      url: `${(https ? tlsGit : git).url}/app.git`,
      interval: "10m",
      ref: { branch: "main" },
      proxySecretRef: { name: secret },
      ...(https ? { secretRef: { name: "tls-ca" } } : {}),
    },
  });

/** A self-signed certificate for 127.0.0.1. */
async function selfSigned(): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), "proxy-tls-"));
  try {
    const args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"];
    const out = ["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")];
    await promisify(execFile)("openssl", [...args, "-addext", "subjectAltName=IP:127.0.0.1", ...out]);
    return {
      key: await readFile(join(dir, "key.pem"), "utf8"),
      cert: await readFile(join(dir, "cert.pem"), "utf8"),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ref = (name: string) => ({
  apiVersion: GIT_REPOSITORY.apiVersion,
  kind: GIT_REPOSITORY.kind,
  namespace: ns(),
  name,
});

/** Waits for a finished failed attempt with `reason` and returns its FetchFailed condition. */
async function failsWith(name: string, reason: string): Promise<Condition> {
  const obj = await waitForObject(
    ref(name),
    (o) => conditionOf(o, "Ready")?.status === "False" && conditionOf(o, "Ready")?.reason === reason,
    { timeoutMs: 60_000 },
  );
  const fetchFailed = conditionOf(obj, "FetchFailed");
  expect(fetchFailed?.reason).toBe(reason);
  return fetchFailed!;
}

beforeAll(async () => {
  proxy = await startForwardProxy(USER, PASSWORD);
  proxyUrl = proxy.url;
  git = await startGitServer();
  const repo = await git.createRepo("app");
  await repo.commit({ files: { "app.yaml": "a: 1\n" } });
  const tls = await selfSigned();
  tlsCert = tls.cert;
  tlsGit = await startGitServer({ tls });
  await (await tlsGit.createRepo("app")).commit({ files: { "app.yaml": "a: 1\n" } });
  source = await startSourceController(testKubeConfig(), { labelSelector: `${LABEL}=${shard}` });
});

afterAll(async () => {
  await source?.stop();
  await git?.stop();
  await tlsGit?.stop();
  await proxy?.stop();
});

describe("GitRepository spec.proxySecretRef (issue 15)", () => {
  it("fetches through the proxy with the Secret's credentials", async () => {
    await proxySecret("proxy-ok", { address: proxyUrl, username: USER, password: PASSWORD });
    await repository("through-proxy", "proxy-ok");
    await waitForCondition(ref("through-proxy"), "Ready", "True", { timeoutMs: 60_000 });
    const gitHost = new URL(git.url).host;
    // Ref discovery and the pack request both went through the proxy, authenticated.
    expect(proxy.seen.some((l) => l.startsWith(`GET http://${gitHost}/app.git/info/refs`))).toBe(true);
    expect(proxy.seen.some((l) => l === `POST http://${gitHost}/app.git/git-upload-pack`)).toBe(true);
  });

  it("tunnels HTTPS through CONNECT, the server's CA trusted end to end", async () => {
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "tls-ca", namespace: ns() },
      stringData: { "ca.crt": tlsCert },
    });
    await repository("https-through-proxy", "proxy-ok", true);
    await waitForCondition(ref("https-through-proxy"), "Ready", "True", { timeoutMs: 60_000 });
    expect(proxy.seen).toContain(`CONNECT ${new URL(tlsGit.url).host}`);
  });

  it.each([
    ["forwarded (http)", false],
    ["tunnelled (https)", true],
  ])(
    "fails with AuthenticationFailed on a wrong proxy password, %s, saying it is the proxy",
    async (_how, https) => {
      await proxySecret("proxy-wrong", { address: proxyUrl, username: USER, password: WRONG });
      const name = `wrong-password-${https ? "https" : "http"}`;
      await repository(name, "proxy-wrong", https);
      const failed = await failsWith(name, "AuthenticationFailed");
      expect(failed.message).toContain("proxy authentication required (HTTP 407)");
      expect(failed.message).toContain("spec.proxySecretRef");
      expect(proxy.refused.some((r) => r.startsWith(https ? "CONNECT" : "GET"))).toBe(true);
    },
  );

  it("fails with Flux's messages on a missing Secret or address", async () => {
    await repository("no-secret", "absent");
    const missing = await failsWith("no-secret", "AuthenticationFailed");
    expect(missing.message).toBe(
      `failed to configure proxy options: failed to get proxy secret '${ns()}/absent': secrets "absent" not found`,
    );
    await proxySecret("no-address", { username: USER, password: PASSWORD });
    await repository("no-address", "no-address");
    const noAddress = await failsWith("no-address", "AuthenticationFailed");
    expect(noAddress.message).toBe(
      `failed to configure proxy options: invalid proxy secret '${ns()}/no-address': key 'address' is missing`,
    );
  });

  it("never shows a proxy credential in status, events or logs", async () => {
    const all = await kubectlOk(["get", "gitrepositories,events", "-n", ns(), "-o", "yaml"]);
    expect(all).toContain("proxy authentication required");
    for (const secret of [PASSWORD, WRONG, Buffer.from(`${USER}:${WRONG}`).toString("base64")]) {
      expect(all).not.toContain(secret);
      expect(source.logs.join("\n")).not.toContain(secret);
    }
    expect(source.logs.length).toBeGreaterThan(0);
  });
});
