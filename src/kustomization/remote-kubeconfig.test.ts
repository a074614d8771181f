import type { RequestOptions } from "node:https";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { Kustomization } from "../api/index.js";
import { GenericError, StallingError } from "../runtime/errors.js";
import { inlineSettings, loadRemoteCluster } from "./remote-kubeconfig.js";

const kubeconfig = (cluster: Record<string, unknown>, user: Record<string, unknown>): string =>
  stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server: "https://10.0.0.1:6443", ...cluster } }],
    users: [{ name: "u", user }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
    "current-context": "x",
  });

const b64 = (s: string): string => Buffer.from(s).toString("base64");

const ks = (kubeConfig: Kustomization["spec"]["kubeConfig"]): Kustomization => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "app", namespace: "team" },
  spec: { interval: "1m", prune: true, sourceRef: { kind: "GitRepository", name: "s" }, kubeConfig },
});

const client = (data: Record<string, string> | undefined) => ({
  getConfigData: (_kind: "ConfigMap" | "Secret", _key: { namespace: string; name: string }) =>
    Promise.resolve(data),
});

const failure = async (p: Promise<unknown>): Promise<Error> => {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a failure");
};

describe("inlineSettings (issue 15: only inline credentials, as Flux's kubeconfig sanitiser)", () => {
  it("keeps server, CA, client certificate, token and basic auth of the current context", () => {
    const text = kubeconfig(
      { "certificate-authority-data": "Q0E=", "tls-server-name": "api" },
      { "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ", token: "t0k", as: "admin" },
    );
    expect(inlineSettings(text)).toEqual({
      server: "https://10.0.0.1:6443",
      caData: "Q0E=",
      tlsServerName: "api",
      certData: "Q0VSVA==",
      keyData: "S0VZ",
      token: "t0k",
    });
  });

  it.each([
    [{}, { tokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" }, "user.tokenFile"],
    [{}, { exec: { command: "aws" } }, "user.exec"],
    [{}, { "auth-provider": { name: "gcp" } }, "user.auth-provider"],
    [
      {},
      { "client-certificate": "/etc/cert", "client-key": "/etc/key" },
      "user.client-certificate, user.client-key",
    ],
    [{ "certificate-authority": "/etc/ca" }, {}, "cluster.certificate-authority"],
    [{ "insecure-skip-tls-verify": true }, {}, "cluster.insecure-skip-tls-verify"],
    [{ "proxy-url": "http://proxy:3128" }, {}, "cluster.proxy-url"],
  ])(
    "refuses what reads the controller's files, runs commands or weakens TLS: %o %o",
    (cluster, user, named) => {
      expect(() => inlineSettings(kubeconfig(cluster, user))).toThrow(
        `it uses ${named}, which mooring refuses`,
      );
    },
  );

  it("says what is missing without quoting the kubeconfig", () => {
    expect(() => inlineSettings("token: s3cret: [")).toThrow(/^it is not valid YAML \(line 1\)$/);
    expect(() => inlineSettings(stringify({ clusters: [] }))).toThrow("it has no current-context");
    expect(() => inlineSettings(stringify({ "current-context": "nope" }))).toThrow(
      "context 'nope' is not defined",
    );
  });
});

describe("loadRemoteCluster (issue 15: Flux's Secret key rule and messages)", () => {
  const good = kubeconfig({ "certificate-authority-data": "Q0E=" }, { token: "t0k" });

  it("is undefined without spec.kubeConfig: the local cluster", async () => {
    expect(await loadRemoteCluster(ks(undefined), client({}), 1000)).toBeUndefined();
  });

  it("reads `value`, then `value.yaml`, or the key asked for", async () => {
    const a = await loadRemoteCluster(ks({ secretRef: { name: "kc" } }), client({ value: b64(good) }), 1);
    const b = await loadRemoteCluster(
      ks({ secretRef: { name: "kc" } }),
      client({ "value.yaml": b64(good) }),
      1,
    );
    const c = await loadRemoteCluster(
      ks({ secretRef: { name: "kc", key: "k" } }),
      client({ k: b64(good) }),
      1,
    );
    expect(a?.kubeConfig.getCurrentCluster()?.server).toBe("https://10.0.0.1:6443");
    const opts: RequestOptions = {};
    await a?.kubeConfig.applyToHTTPSOptions(opts);
    expect(opts.headers).toEqual({ Authorization: "Bearer t0k" });
    expect(opts.ca).toBe("CA");
    expect(a?.secret).toBe("team/kc");
    // Equal content, one cache key.
    expect(new Set([a?.key, b?.key, c?.key]).size).toBe(1);
  });

  it("fails with Flux's messages, retried at retryInterval, never naming a credential", async () => {
    const missing = await failure(loadRemoteCluster(ks({ secretRef: { name: "kc" } }), client(undefined), 7));
    expect(missing).toBeInstanceOf(GenericError);
    expect(missing.message).toBe(`unable to read KubeConfig secret 'team/kc' error: secrets "kc" not found`);
    expect((missing as GenericError).reason).toBe("ReconciliationFailed");
    expect((missing as GenericError).retryAfterMs).toBe(7);
    const noValue = await failure(
      loadRemoteCluster(ks({ secretRef: { name: "kc" } }), client({ other: "" }), 7),
    );
    expect(noValue.message).toBe(
      `KubeConfig secret 'team/kc' does not contain a 'value' key with a kubeconfig`,
    );
    const noKey = await failure(
      loadRemoteCluster(ks({ secretRef: { name: "kc", key: "k" } }), client({}), 7),
    );
    expect(noKey.message).toBe(`KubeConfig secret 'team/kc' does not contain a 'k' key with a kubeconfig`);
    const exec = kubeconfig({}, { token: "t0k", exec: { command: "x" } });
    const refused = await failure(
      loadRemoteCluster(ks({ secretRef: { name: "kc" } }), client({ value: b64(exec) }), 7),
    );
    expect(refused.message).toContain("KubeConfig secret 'team/kc' is unusable: it uses user.exec");
    expect(refused.message).not.toContain("t0k");
  });

  it("stalls on configMapRef (workload identity), saying what to use instead", async () => {
    const err = await failure(loadRemoteCluster(ks({ configMapRef: { name: "cluster" } }), client({}), 7));
    expect(err).toBeInstanceOf(StallingError);
    expect(err.message).toContain(
      "spec.kubeConfig.configMapRef (workload identity) is not supported by mooring",
    );
    expect(err.message).toContain("spec.kubeConfig.secretRef");
  });
});
