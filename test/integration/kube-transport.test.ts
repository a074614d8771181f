/**
 * The shared transport against the real API server: requests reuse one kept-alive connection, a
 * CA file that changes on disk is honoured by the next request, and a closed transport reopens.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeHttp } from "../../src/apply/cluster/http.js";
import { kubeRequest } from "../../src/runtime/kube-request.js";
import { closeKubeTransport } from "../../src/runtime/kube-transport.js";
import { testKubeConfig } from "../support/kube.js";
import { startCuttableProxy, type CuttableProxy } from "./runtime-support/tcp-proxy.js";

const kc = testKubeConfig();
let proxy: CuttableProxy;
let dir: string;

beforeAll(async () => {
  proxy = await startCuttableProxy(kc);
  dir = await mkdtemp(join(tmpdir(), "mooring-transport-"));
});
afterAll(async () => {
  await proxy.close();
  await rm(dir, { recursive: true, force: true });
});

const version = (k: KubeConfig): Promise<{ major: string }> => kubeRequest(k, "/version");

/** A copy of `base` whose cluster reads its CA from `caFile`. */
function withCaFile(base: KubeConfig, caFile: string): KubeConfig {
  const cluster = base.getCurrentCluster();
  if (!cluster) throw new Error("no cluster");
  const k = new KubeConfig();
  k.loadFromOptions({
    clusters: [{ name: cluster.name, server: cluster.server, skipTLSVerify: false, caFile }],
    users: base.users,
    contexts: base.contexts,
    currentContext: base.currentContext,
  });
  return k;
}

const pem = (b64: string | undefined): string => Buffer.from(b64 ?? "", "base64").toString("utf8");

describe("kube transport", () => {
  it("sends sequential requests over one kept-alive connection", async () => {
    const k = proxy.kubeConfig;
    const before = proxy.accepted;
    for (let i = 0; i < 20; i++) await version(k);
    const http = new KubeHttp(k);
    for (let i = 0; i < 20; i++) await http.request({ verb: "get", method: "GET", path: "/version" });
    expect(proxy.accepted - before).toBe(1);
    await closeKubeTransport(k);
  });

  it("uses a CA file's new content on the next request", async () => {
    const caFile = join(dir, "ca.crt");
    const rightCa = pem(kc.getCurrentCluster()?.caData);
    // The admin client certificate is a well-formed certificate that did not sign the server's.
    const wrongCa = pem(kc.getCurrentUser()?.certData);
    await writeFile(caFile, rightCa);
    const k = withCaFile(kc, caFile);
    expect((await version(k)).major).toBe("1");

    await writeFile(caFile, wrongCa);
    await expect(version(k)).rejects.toThrow(/certificate/i);

    await writeFile(caFile, rightCa);
    expect((await version(k)).major).toBe("1");
    await closeKubeTransport(k);
  });

  it("opens new connections after it was closed", async () => {
    const k = proxy.kubeConfig;
    await version(k);
    const before = proxy.accepted;
    await closeKubeTransport(k);
    expect((await version(k)).major).toBe("1");
    expect(proxy.accepted - before).toBe(1);
    await closeKubeTransport(k);
  });
});
