import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { RequestOptions } from "node:https";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { defaultKubeConfig, inClusterKubeConfig, type KubeConfig, loadKubeConfigFiles } from "./index.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mooring-kubeconfig-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Doc {
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
  contexts?: { name: string; context: Record<string, unknown> }[];
  "current-context"?: string;
}

async function file(name: string, content: string | Doc): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    typeof content === "string" ? content : stringify({ apiVersion: "v1", kind: "Config", ...content }),
  );
  return path;
}

/** One cluster, one user, one context named `main`. */
const single = (cluster: Record<string, unknown>, user: Record<string, unknown>): Doc => ({
  clusters: [{ name: "c", cluster: { server: "https://10.0.0.1:6443", ...cluster } }],
  users: [{ name: "u", user }],
  contexts: [{ name: "main", context: { cluster: "c", user: "u" } }],
  "current-context": "main",
});

async function options(kc: KubeConfig): Promise<RequestOptions> {
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return opts;
}

describe("loadKubeConfigFiles", () => {
  it("uses the current context's cluster and user: inline CA, client certificate, key and token", async () => {
    const path = await file(
      "config",
      single(
        { "certificate-authority-data": b64("CA PEM"), "tls-server-name": "api.internal" },
        { "client-certificate-data": b64("CERT PEM"), "client-key-data": b64("KEY PEM"), token: "t0k" },
      ),
    );
    const kc = loadKubeConfigFiles([path], {});
    expect(kc.getCurrentCluster()).toEqual({ server: "https://10.0.0.1:6443" });
    const opts = await options(kc);
    expect(opts).toEqual({
      ca: "CA PEM",
      servername: "api.internal",
      cert: "CERT PEM",
      key: "KEY PEM",
      headers: { Authorization: "Bearer t0k" },
    });
  });

  it("picks another context on request, with its namespace, and names an unknown one", async () => {
    const doc: Doc = {
      clusters: [
        { name: "a", cluster: { server: "https://a:6443" } },
        { name: "b", cluster: { server: "https://b:6443" } },
      ],
      users: [{ name: "u", user: { token: "x" } }],
      contexts: [
        { name: "one", context: { cluster: "a", user: "u" } },
        { name: "two", context: { cluster: "b", user: "u", namespace: "team" } },
      ],
      "current-context": "one",
    };
    const path = await file("config", doc);
    expect(loadKubeConfigFiles([path], {}).getCurrentCluster().server).toBe("https://a:6443");
    const two = loadKubeConfigFiles([path], {}, { context: "two" });
    expect(two.getCurrentCluster().server).toBe("https://b:6443");
    expect(two.namespace).toBe("team");
    expect(() => loadKubeConfigFiles([path], {}, { context: "three" })).toThrow(
      `kubeconfig ${path}: context 'three' is not defined`,
    );
  });

  it("reads files named relative to the kubeconfig's directory, and a rotated token file after a minute", async () => {
    await file("ca.crt", "CA FROM FILE");
    await file("tls.crt", "CERT FROM FILE");
    await file("tls.key", "KEY FROM FILE");
    await file("token", "first\n");
    const path = await file(
      "config",
      single(
        { "certificate-authority": "ca.crt" },
        { "client-certificate": "tls.crt", "client-key": join(dir, "tls.key"), tokenFile: "token" },
      ),
    );
    let now = 1_000_000;
    const kc = loadKubeConfigFiles([path], {}, { deps: { now: () => now } });
    expect(await options(kc)).toMatchObject({
      ca: "CA FROM FILE",
      cert: "CERT FROM FILE",
      key: "KEY FROM FILE",
      headers: { Authorization: "Bearer first" },
    });
    await file("token", "second\n");
    now += 30_000;
    expect((await options(kc)).headers).toEqual({ Authorization: "Bearer first" });
    now += 31_000;
    expect((await options(kc)).headers).toEqual({ Authorization: "Bearer second" });
  });

  it("says which credential file it cannot read", async () => {
    const path = await file("config", single({}, { tokenFile: "missing-token" }));
    const kc = loadKubeConfigFiles([path], {});
    await expect(options(kc)).rejects.toThrow(
      `cannot read the kubeconfig's token file ${join(dir, "missing-token")}`,
    );
  });

  it("merges a KUBECONFIG list as kubectl does: the first occurrence of a name and of current-context wins", async () => {
    const first = await file("first", {
      clusters: [{ name: "c", cluster: { server: "https://first:6443" } }],
      "current-context": "main",
    });
    const second = await file("second", {
      ...single({}, { username: "admin", password: "pw" }),
      clusters: [{ name: "c", cluster: { server: "https://second:6443" } }],
      "current-context": "other",
    });
    const kc = defaultKubeConfig({ KUBECONFIG: [first, second].join(delimiter) });
    expect(kc.getCurrentCluster().server).toBe("https://first:6443");
    expect((await options(kc)).auth).toBe("admin:pw");
  });

  it("skips TLS verification only when asked, and goes through an HTTP proxy", async () => {
    const path = await file(
      "config",
      single({ "insecure-skip-tls-verify": true, "proxy-url": "http://proxy:3128" }, {}),
    );
    const kc = loadKubeConfigFiles([path], {});
    expect(kc.getCurrentCluster()).toEqual({
      server: "https://10.0.0.1:6443",
      proxyUrl: "http://proxy:3128",
    });
    expect(await options(kc)).toEqual({ rejectUnauthorized: false });
  });

  it.each([
    [
      {},
      { "auth-provider": { name: "oidc", config: { "id-token": "secret-id-token" } } },
      "uses auth-provider 'oidc'",
    ],
    [{}, { as: "admin", token: "secret-token" }, "sets as (impersonation)"],
    [{ "proxy-url": "socks5://p:1080" }, {}, "proxy-url with a scheme mooring does not support"],
    [
      { "insecure-skip-tls-verify": true, "certificate-authority-data": b64("CA") },
      {},
      "both insecure-skip-tls-verify",
    ],
    [{}, { "client-certificate-data": b64("C") }, "a client certificate without its key"],
    [
      {},
      { username: "a", password: "secret-pw", token: "secret-token" },
      "both username/password and a token",
    ],
    [
      {},
      { exec: { command: "x", apiVersion: "client.authentication.k8s.io/v1alpha1" } },
      "apiVersion 'client.authentication.k8s.io/v1alpha1' is not supported",
    ],
    [
      {},
      { exec: { command: "x", apiVersion: "client.authentication.k8s.io/v1", interactiveMode: "Always" } },
      "interactiveMode Always",
    ],
  ])("refuses what it does not implement, saying what: %j %j", async (cluster, user, message) => {
    const path = await file("config", single(cluster, user));
    let error: Error | undefined;
    try {
      loadKubeConfigFiles([path], {});
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toContain(`kubeconfig ${path}: `);
    expect(error?.message).toContain(message);
    expect(error?.message).not.toContain("secret");
  });

  it("names the file and the line of invalid YAML, never its content", async () => {
    const path = await file("config", "clusters:\n  - name: [secret-value\n");
    expect(() => loadKubeConfigFiles([path], {})).toThrow(
      /kubeconfig .*config: it is not valid YAML \(line \d+\)/,
    );
    expect(() => loadKubeConfigFiles([join(dir, "nope")], {})).toThrow(
      `cannot read kubeconfig ${join(dir, "nope")}`,
    );
  });
});

describe("exec credential plugins", () => {
  it("runs the command with its args, env and KUBERNETES_EXEC_INFO, and reuses the token until it expires", async () => {
    const runs: { command: string; args: readonly string[]; env: Readonly<Record<string, string>> }[] = [];
    let now = Date.parse("2026-12-06T12:00:00Z");
    const expiry = "2026-12-06T12:10:00Z";
    const path = await file(
      "config",
      single(
        { "certificate-authority-data": b64("CA") },
        {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1",
            command: "get-token",
            args: ["--cluster", "prod"],
            env: [{ name: "REGION", value: "eu" }],
            provideClusterInfo: true,
          },
        },
      ),
    );
    const kc = loadKubeConfigFiles(
      [path],
      {},
      {
        deps: {
          now: () => now,
          runCommand: (command, args, env) => {
            runs.push({ command, args, env });
            const status = { token: `tok-${runs.length}`, expirationTimestamp: expiry };
            return Promise.resolve(
              JSON.stringify({
                apiVersion: "client.authentication.k8s.io/v1",
                kind: "ExecCredential",
                status,
              }),
            );
          },
        },
      },
    );
    const [a, b] = await Promise.all([options(kc), options(kc)]);
    expect(a.headers).toEqual({ Authorization: "Bearer tok-1" });
    expect(b.headers).toEqual({ Authorization: "Bearer tok-1" });
    expect(runs).toHaveLength(1);
    expect(runs[0]?.command).toBe("get-token");
    expect(runs[0]?.args).toEqual(["--cluster", "prod"]);
    expect(runs[0]?.env.REGION).toBe("eu");
    expect(JSON.parse(runs[0]?.env.KUBERNETES_EXEC_INFO ?? "{}")).toEqual({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      spec: {
        interactive: false,
        cluster: { server: "https://10.0.0.1:6443", "certificate-authority-data": b64("CA") },
      },
    });
    now = Date.parse(expiry) + 1;
    expect((await options(kc)).headers).toEqual({ Authorization: "Bearer tok-2" });
  });

  it("runs a real command with the process environment plus the plugin's, and takes its client certificate", async () => {
    const script = await file(
      "plugin.sh",
      `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":"%s","clientKeyData":"%s"}}' "$BASE" "$EXTRA"\n`,
    );
    await chmod(script, 0o755);
    const path = await file(
      "config",
      single(
        {},
        {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: script,
            env: [{ name: "EXTRA", value: "KEY" }],
          },
        },
      ),
    );
    const opts = await options(loadKubeConfigFiles([path], { BASE: "CERT", PATH: "/usr/bin:/bin" }));
    expect(opts).toMatchObject({ cert: "CERT", key: "KEY" });
  });

  it("says when the plugin fails or prints no credential", async () => {
    const path = await file(
      "config",
      single({}, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "/bin/false" } }),
    );
    await expect(options(loadKubeConfigFiles([path], { PATH: "/usr/bin:/bin" }))).rejects.toThrow(
      "kubeconfig exec plugin '/bin/false' failed",
    );
    const empty = await file(
      "config2",
      single({}, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "/bin/true" } }),
    );
    await expect(options(loadKubeConfigFiles([empty], { PATH: "/usr/bin:/bin" }))).rejects.toThrow(
      "did not print an ExecCredential",
    );
  });
});

describe("in-cluster and default credentials", () => {
  it("uses the service account's token, CA and namespace, re-reading the token as it rotates", async () => {
    await file("token", "sa-token-1");
    await file("ca.crt", "SA CA");
    await file("namespace", "flux-system\n");
    let now = 0;
    const kc = inClusterKubeConfig(
      { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" },
      { dir, deps: { now: () => now } },
    );
    expect(kc.getCurrentCluster()).toEqual({ server: "https://10.96.0.1:443" });
    expect(kc.namespace).toBe("flux-system");
    expect(await options(kc)).toEqual({ ca: "SA CA", headers: { Authorization: "Bearer sa-token-1" } });
    await file("token", "sa-token-2");
    now += 60_000;
    expect((await options(kc)).headers).toEqual({ Authorization: "Bearer sa-token-2" });
  });

  it("brackets an IPv6 service host and needs the service variables", () => {
    const kc = inClusterKubeConfig(
      { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" },
      { dir },
    );
    expect(kc.getCurrentCluster().server).toBe("https://[fd00::1]:443");
    expect(() => inClusterKubeConfig({}, { dir })).toThrow(
      "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT",
    );
  });

  it("falls back from KUBECONFIG to ~/.kube/config to in-cluster, and says what it looked for", async () => {
    await file("token", "t");
    expect(() => defaultKubeConfig({ HOME: dir })).toThrow(
      `no kubeconfig: pass --kubeconfig, set KUBECONFIG or create ${join(dir, ".kube", "config")}`,
    );
    const inCluster = defaultKubeConfig({
      HOME: dir,
      KUBERNETES_SERVICE_HOST: "10.96.0.1",
      KUBERNETES_SERVICE_PORT: "443",
    });
    expect(inCluster.getCurrentCluster().server).toBe("https://10.96.0.1:443");
    await mkdir(join(dir, ".kube"));
    await writeFile(join(dir, ".kube", "config"), stringify(single({}, { token: "home" })));
    expect((await options(defaultKubeConfig({ HOME: dir }))).headers).toEqual({
      Authorization: "Bearer home",
    });
  });
});
