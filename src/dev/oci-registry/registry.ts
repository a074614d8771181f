/**
 * A real OCI registry (CNCF distribution, built by build.ts) on 127.0.0.1 for tests and the
 * bench: filesystem storage in a temp dir, optional htpasswd basic auth or token auth, optional TLS from a
 * generated CA (with client certificates required when asked), and its access log kept so
 * tests can count what reached it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { Agent, request } from "undici";
import { run, tail } from "../go-build/exec.js";
import { generatePki } from "../control-plane/pki.js";
import { freePort } from "../control-plane/ports.js";
import type { RegistryBinaries } from "./build.js";

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** Basic auth with these users (name → password). */
  readonly users?: Readonly<Record<string, string>>;
  /** Serve HTTPS with a certificate from a fresh CA. */
  readonly tls?: boolean;
  /** With `tls`: require a client certificate signed by that CA. */
  readonly clientCerts?: boolean;
  /** Docker token auth: the registry sends clients to this token service (token-server.ts). */
  readonly token?: TokenAuth;
}

/** How the registry trusts a token service: its realm, names and signing keys (a JWKS file). */
export interface TokenAuth {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly jwksPath: string;
}

/** PEM material of a TLS registry. */
export interface RegistryPki {
  readonly ca: string;
  /** A client certificate and key the registry accepts. */
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A running registry. */
export interface Registry {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly pki?: RegistryPki;
  /** Access log lines (`"GET /v2/… HTTP/1.1" 200`) seen so far. */
  readonly requests: () => string[];
  stop(): Promise<void>;
}

async function htpasswd(bin: string, users: Readonly<Record<string, string>>, file: string): Promise<void> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    const out = await run(bin, [user, password]);
    if (out.code !== 0) throw new Error(`registry-htpasswd failed: ${tail(out.stderr, 2)}`);
    lines.push(out.stdout.trim());
  }
  await writeFile(file, `${lines.join("\n")}\n`, { mode: 0o600 });
}

async function waitReady(base: string, pki: RegistryPki | undefined, child: ChildProcess): Promise<void> {
  const dispatcher =
    pki === undefined
      ? undefined
      : new Agent({ connect: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } });
  const answers = async (): Promise<boolean> => {
    try {
      const res = await request(`${base}/v2/`, dispatcher ? { dispatcher } : {});
      await res.body.dump();
      return res.statusCode === 200 || res.statusCode === 401;
    } catch {
      return false; // not listening yet
    }
  };
  try {
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`registry exited with code ${child.exitCode}`);
      if (await answers()) return;
      await sleep(50);
    }
    throw new Error("registry did not become ready within 10 s");
  } finally {
    await dispatcher?.close();
  }
}

/** Starts the registry; `stop()` kills it and removes its storage. */
export async function startRegistry(bins: RegistryBinaries, opts: RegistryOptions = {}): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), "mooring-registry-"));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: "info", accesslog: { disabled: false }, formatter: "text" },
    storage: { filesystem: { rootdirectory: join(dir, "data") }, delete: { enabled: true } },
    http: { addr: host, secret: "mooring-test" },
  };
  let pki: RegistryPki | undefined;
  if (opts.tls === true) {
    const p = await generatePki(dir);
    const read = (f: string): Promise<string> => readFile(f, "utf8");
    pki = {
      ca: await read(p.caCert),
      clientCert: await read(p.adminCert),
      clientKey: await read(p.adminKey),
    };
    (config.http as Record<string, unknown>).tls = {
      certificate: p.servingCert,
      key: p.servingKey,
      ...(opts.clientCerts === true ? { clientcas: [p.caCert] } : {}),
    };
  }
  if (opts.users !== undefined) {
    await htpasswd(bins.htpasswd, opts.users, join(dir, "htpasswd"));
    config.auth = { htpasswd: { realm: "mooring-test", path: join(dir, "htpasswd") } };
  }
  if (opts.token !== undefined) {
    const t = opts.token;
    config.auth = { token: { realm: t.realm, service: t.service, issuer: t.issuer, jwks: t.jwksPath } };
  }
  await writeFile(join(dir, "config.yml"), stringify(config));
  const child = spawn(bins.registry, ["serve", join(dir, "config.yml")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const l of chunk.toString().split("\n"))
      if (/"(GET|HEAD|PUT|POST|PATCH|DELETE) \//.test(l)) lines.push(l);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const stop = async (): Promise<void> => {
    child.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${opts.tls === true ? "https" : "http"}://${host}`, pki, child);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, ...(pki === undefined ? {} : { pki }), requests: () => [...lines], stop };
}
