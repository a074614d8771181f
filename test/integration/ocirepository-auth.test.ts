/**
 * Issue 16, item 1, authentication and transport: against real registries (CNCF distribution on
 * 127.0.0.1) with htpasswd basic auth, HTTPS from a CA generated here, and HTTPS requiring client
 * certificates. secretRef (kubernetes.io/dockerconfigjson) and serviceAccountName
 * imagePullSecrets authenticate; bad or missing credentials fail with Flux's reasons and no
 * secret in any message; certSecretRef's ca.crt, tls.crt and tls.key, insecure, and
 * proxySecretRef reach the registry as Flux does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startRegistry, type Registry } from "../../src/dev/oci-registry/registry.js";
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
} from "../support/kube.js";
import { pushFiles, registryBinaries } from "../support/oci.js";
import { type OciRepo, ociRepositories } from "../support/oci-repository.js";

const ns = useTestNamespace("ocirepo-auth");
const shard = randomSuffix();
const LABEL = "mooring.test/shard";
const USER = "reader";
const PASSWORD = `s3cret-${randomSuffix(6)}`;
const WRONG = `wr0ng-${randomSuffix(6)}`;
const PROXY_PASSWORD = `pr0xy-${randomSuffix(6)}`;
let basic: Registry;
let tls: Registry;
let mtls: Registry;
let proxy: ForwardProxy;
let source: SourceHarness;
const digests: Record<string, string> = {};

const repos = ociRepositories(ns, { [LABEL]: shard });
const { ref } = repos;

const apply = (obj: Record<string, unknown>): Promise<string> =>
  kubectlOk(["apply", "-f", "-"], stringify(obj));

async function fetchFailed(name: string): Promise<Condition> {
  const obj = await waitForCondition<OciRepo>(ref(name), "FetchFailed", "True");
  const c = conditionOf(obj, "FetchFailed")!;
  expect(conditionOf(obj, "Ready")).toMatchObject({ status: "False", reason: c.reason, message: c.message });
  for (const secret of [PASSWORD, WRONG, PROXY_PASSWORD])
    expect(JSON.stringify(obj.status)).not.toContain(secret);
  return c;
}

const CM = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: auth\n`;

beforeAll(async () => {
  const bins = await registryBinaries();
  basic = await startRegistry(bins, { users: { [USER]: PASSWORD } });
  tls = await startRegistry(bins, { tls: true });
  mtls = await startRegistry(bins, { tls: true, clientCerts: true });
  proxy = await startForwardProxy("proxy-user", PROXY_PASSWORD);
  source = await startSourceController(testKubeConfig(), { labelSelector: `${LABEL}=${shard}` });
  digests.basic = await pushFiles(
    { host: basic.host, repository: "app", user: USER, password: PASSWORD },
    "v1",
    { "cm.yaml": CM },
  );
  digests.tls = await pushFiles({ host: tls.host, repository: "app", tls: { ca: tls.pki!.ca } }, "v1", {
    "cm.yaml": CM,
  });
  const client = { ca: mtls.pki!.ca, cert: mtls.pki!.clientCert, key: mtls.pki!.clientKey };
  digests.mtls = await pushFiles({ host: mtls.host, repository: "app", tls: client }, "v1", {
    "cm.yaml": CM,
  });
  await repos.dockerSecret("good", basic.host, USER, PASSWORD);
  await repos.dockerSecret("bad", basic.host, USER, WRONG);
});

afterAll(async () => {
  await source?.stop();
  for (const r of [basic, tls, mtls]) await r?.stop();
  await proxy?.stop();
});

describe("OCIRepository credentials (issue 16)", () => {
  it("secretRef with a dockerconfigjson Secret authenticates with basic auth", async () => {
    await repos.apply("good", {
      url: `oci://${basic.host}/app`,
      ref: { tag: "v1" },
      secretRef: { name: "good" },
    });
    await repos.ready("good", `v1@${digests.basic}`);
  });

  it("bad credentials and no credentials fail with the registry's answer and no secret in status", async () => {
    await repos.apply("bad", {
      url: `oci://${basic.host}/app`,
      ref: { tag: "v1" },
      secretRef: { name: "bad" },
    });
    const message = `failed to determine artifact digest: GET http://${basic.host}/v2/app/manifests/v1: UNAUTHORIZED: authentication required`;
    expect(await fetchFailed("bad")).toEqual(
      expect.objectContaining({ reason: "OCIArtifactPullFailed", message }),
    );
    await repos.apply("anonymous", { url: `oci://${basic.host}/app`, ref: { tag: "v1" } });
    expect(await fetchFailed("anonymous")).toEqual(
      expect.objectContaining({ reason: "OCIArtifactPullFailed", message }),
    );
  });

  it("a missing secretRef Secret fails with AuthenticationFailed", async () => {
    await repos.apply("no-secret", { url: `oci://${basic.host}/app`, secretRef: { name: "absent" } });
    expect(await fetchFailed("no-secret")).toEqual(
      expect.objectContaining({
        reason: "AuthenticationFailed",
        message: `failed to get credential: failed to get secret '${ns()}/absent': secrets "absent" not found`,
      }),
    );
  });

  it("serviceAccountName: the account's imagePullSecrets authenticate", async () => {
    await apply({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "puller", namespace: ns() },
      imagePullSecrets: [{ name: "good" }],
    });
    await repos.apply("sa", {
      url: `oci://${basic.host}/app`,
      ref: { tag: "v1" },
      serviceAccountName: "puller",
    });
    await repos.ready("sa", `v1@${digests.basic}`);
    await repos.apply("sa-missing", { url: `oci://${basic.host}/app`, serviceAccountName: "nobody" });
    expect(await fetchFailed("sa-missing")).toEqual(
      expect.objectContaining({
        reason: "AuthenticationFailed",
        message: 'failed to get credential: serviceaccounts "nobody" not found',
      }),
    );
  });
});

describe("OCIRepository TLS and proxy (issue 16)", () => {
  it("HTTPS with a private CA: fails without certSecretRef, works with its ca.crt, or with insecure", async () => {
    await repos.apply("tls-untrusted", { url: `oci://${tls.host}/app`, ref: { tag: "v1" } });
    const failed = await fetchFailed("tls-untrusted");
    expect(failed.reason).toBe("OCIArtifactPullFailed");
    expect(failed.message).toMatch(/certificate/);
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "ca", namespace: ns() },
      stringData: { "ca.crt": tls.pki!.ca },
    });
    await repos.apply("tls-ca", {
      url: `oci://${tls.host}/app`,
      ref: { tag: "v1" },
      certSecretRef: { name: "ca" },
    });
    await repos.ready("tls-ca", `v1@${digests.tls}`);
    await repos.apply("tls-insecure", { url: `oci://${tls.host}/app`, ref: { tag: "v1" }, insecure: true });
    await repos.ready("tls-insecure", `v1@${digests.tls}`);
  });

  it("mutual TLS: certSecretRef's tls.crt and tls.key are presented; without them the registry refuses", async () => {
    const data = { "ca.crt": mtls.pki!.ca, "tls.crt": mtls.pki!.clientCert, "tls.key": mtls.pki!.clientKey };
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "mtls", namespace: ns() },
      stringData: data,
    });
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "mtls-ca", namespace: ns() },
      stringData: { "ca.crt": mtls.pki!.ca },
    });
    await repos.apply("mtls", {
      url: `oci://${mtls.host}/app`,
      ref: { tag: "v1" },
      certSecretRef: { name: "mtls" },
    });
    await repos.ready("mtls", `v1@${digests.mtls}`);
    await repos.apply("mtls-no-client", {
      url: `oci://${mtls.host}/app`,
      ref: { tag: "v1" },
      certSecretRef: { name: "mtls-ca" },
    });
    expect((await fetchFailed("mtls-no-client")).reason).toBe("OCIArtifactPullFailed");
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "half", namespace: ns() },
      stringData: { "tls.crt": mtls.pki!.clientCert },
    });
    await repos.apply("mtls-half", { url: `oci://${mtls.host}/app`, certSecretRef: { name: "half" } });
    expect(await fetchFailed("mtls-half")).toEqual(
      expect.objectContaining({
        reason: "AuthenticationFailed",
        message: `failed to generate transport for 'oci://${mtls.host}/app': secret '${ns()}/half' must hold both 'tls.crt' and 'tls.key', or neither`,
      }),
    );
  });

  it("proxySecretRef: requests go through the proxy with its credentials; a wrong password fails", async () => {
    const secret = (name: string, password: string) =>
      apply({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace: ns() },
        stringData: { address: proxy.url, username: "proxy-user", password },
      });
    await secret("proxy", PROXY_PASSWORD);
    await secret("proxy-wrong", WRONG);
    await repos.apply("proxied", {
      url: `oci://${tls.host}/app`,
      ref: { tag: "v1" },
      certSecretRef: { name: "ca" },
      proxySecretRef: { name: "proxy" },
    });
    await repos.ready("proxied", `v1@${digests.tls}`);
    expect(proxy.seen).toContain(`CONNECT ${tls.host}`);
    await repos.apply("proxied-wrong", {
      url: `oci://${tls.host}/app`,
      certSecretRef: { name: "ca" },
      proxySecretRef: { name: "proxy-wrong" },
    });
    const failed = await fetchFailed("proxied-wrong");
    expect(failed.reason).toBe("OCIArtifactPullFailed");
    expect(proxy.refused.length).toBeGreaterThan(0);
  });
});
