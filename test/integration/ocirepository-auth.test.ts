/**
 * Issue 16, item 1, authentication and transport: against real registries (CNCF distribution on
 * 127.0.0.1) with htpasswd basic auth, HTTPS from a CA generated here, and HTTPS requiring client
 * certificates. secretRef (kubernetes.io/dockerconfigjson) and serviceAccountName
 * imagePullSecrets authenticate; bad or missing credentials fail with Flux's reasons and no
 * secret in any message; certSecretRef's ca.crt, tls.crt and tls.key, insecure, and
 * proxySecretRef reach the registry as Flux does.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { OCI_REPOSITORY } from "../../src/api/index.js";
import { startRegistry, type Registry } from "../../src/dev/oci-registry/registry.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";
import type { KubeObject } from "../../src/util/kube-object.js";
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
import { pushFiles, registryBinaries } from "../support/oci.js";

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

type Repo = KubernetesObject & {
  metadata: KubeObject["metadata"];
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string; message: string }[];
    artifact?: { revision: string };
  };
};

const ref = (name: string) => ({
  apiVersion: OCI_REPOSITORY.apiVersion,
  kind: OCI_REPOSITORY.kind,
  namespace: ns(),
  name,
});

async function applyRepo(name: string, spec: Record<string, unknown>): Promise<void> {
  const metadata = { name, namespace: ns(), labels: { [LABEL]: shard } };
  const obj = {
    apiVersion: OCI_REPOSITORY.apiVersion,
    kind: OCI_REPOSITORY.kind,
    metadata,
    spec: { interval: "10m", ...spec },
  };
  await kubectlOk(["apply", "-f", "-"], stringify(obj));
}

const apply = (obj: Record<string, unknown>): Promise<string> =>
  kubectlOk(["apply", "-f", "-"], stringify(obj));

async function dockerSecret(name: string, host: string, password: string): Promise<void> {
  const config = JSON.stringify({ auths: { [host]: { username: USER, password } } });
  await apply({
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/dockerconfigjson",
    metadata: { name, namespace: ns() },
    stringData: { ".dockerconfigjson": config },
  });
}

async function ready(name: string, revision: string): Promise<Repo> {
  return waitForObject<Repo>(ref(name), (o: Repo) => {
    const c = o.status?.conditions?.find((x) => x.type === "Ready");
    return (
      c?.status === "True" &&
      o.status?.artifact?.revision === revision &&
      o.status.observedGeneration === o.metadata.generation
    );
  });
}

async function fetchFailed(name: string): Promise<Condition> {
  const obj = await waitForCondition<Repo>(ref(name), "FetchFailed", "True");
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
  await dockerSecret("good", basic.host, PASSWORD);
  await dockerSecret("bad", basic.host, WRONG);
});

afterAll(async () => {
  await source?.stop();
  for (const r of [basic, tls, mtls]) await r?.stop();
  await proxy?.stop();
});

describe("OCIRepository credentials (issue 16)", () => {
  it("secretRef with a dockerconfigjson Secret authenticates with basic auth", async () => {
    await applyRepo("good", {
      url: `oci://${basic.host}/app`,
      ref: { tag: "v1" },
      secretRef: { name: "good" },
    });
    await ready("good", `v1@${digests.basic}`);
  });

  it("bad credentials and no credentials fail with the registry's answer and no secret in status", async () => {
    await applyRepo("bad", {
      url: `oci://${basic.host}/app`,
      ref: { tag: "v1" },
      secretRef: { name: "bad" },
    });
    const message = `failed to determine artifact digest: GET http://${basic.host}/v2/app/manifests/v1: UNAUTHORIZED: authentication required`;
    expect(await fetchFailed("bad")).toEqual(
      expect.objectContaining({ reason: "OCIArtifactPullFailed", message }),
    );
    await applyRepo("anonymous", { url: `oci://${basic.host}/app`, ref: { tag: "v1" } });
    expect(await fetchFailed("anonymous")).toEqual(
      expect.objectContaining({ reason: "OCIArtifactPullFailed", message }),
    );
  });

  it("a missing secretRef Secret fails with AuthenticationFailed", async () => {
    await applyRepo("no-secret", { url: `oci://${basic.host}/app`, secretRef: { name: "absent" } });
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
    await applyRepo("sa", {
      url: `oci://${basic.host}/app`,
      ref: { tag: "v1" },
      serviceAccountName: "puller",
    });
    await ready("sa", `v1@${digests.basic}`);
    await applyRepo("sa-missing", { url: `oci://${basic.host}/app`, serviceAccountName: "nobody" });
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
    await applyRepo("tls-untrusted", { url: `oci://${tls.host}/app`, ref: { tag: "v1" } });
    const failed = await fetchFailed("tls-untrusted");
    expect(failed.reason).toBe("OCIArtifactPullFailed");
    expect(failed.message).toMatch(/certificate/);
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "ca", namespace: ns() },
      stringData: { "ca.crt": tls.pki!.ca },
    });
    await applyRepo("tls-ca", {
      url: `oci://${tls.host}/app`,
      ref: { tag: "v1" },
      certSecretRef: { name: "ca" },
    });
    await ready("tls-ca", `v1@${digests.tls}`);
    await applyRepo("tls-insecure", { url: `oci://${tls.host}/app`, ref: { tag: "v1" }, insecure: true });
    await ready("tls-insecure", `v1@${digests.tls}`);
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
    await applyRepo("mtls", {
      url: `oci://${mtls.host}/app`,
      ref: { tag: "v1" },
      certSecretRef: { name: "mtls" },
    });
    await ready("mtls", `v1@${digests.mtls}`);
    await applyRepo("mtls-no-client", {
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
    await applyRepo("mtls-half", { url: `oci://${mtls.host}/app`, certSecretRef: { name: "half" } });
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
    await applyRepo("proxied", {
      url: `oci://${tls.host}/app`,
      ref: { tag: "v1" },
      certSecretRef: { name: "ca" },
      proxySecretRef: { name: "proxy" },
    });
    await ready("proxied", `v1@${digests.tls}`);
    expect(proxy.seen).toContain(`CONNECT ${tls.host}`);
    await applyRepo("proxied-wrong", {
      url: `oci://${tls.host}/app`,
      certSecretRef: { name: "ca" },
      proxySecretRef: { name: "proxy-wrong" },
    });
    const failed = await fetchFailed("proxied-wrong");
    expect(failed.reason).toBe("OCIArtifactPullFailed");
    expect(proxy.refused.length).toBeGreaterThan(0);
  });
});
