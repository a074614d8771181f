import { spawn } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ControlPlaneBinaries } from "./build.js";
import { run } from "../go-build/exec.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { generatePki, type Pki } from "./pki.js";
import { freePort } from "./ports.js";
import { type ManagedProcess, startProcess, stopProcess } from "./processes.js";
import { httpsGet, type TlsClient, waitUntilReady } from "./readiness.js";

/** A running local control plane: etcd, kube-apiserver and kube-controller-manager. */
export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  kubeconfigPath: string;
  /** e.g. `v1.37.2` as reported by kube-apiserver. */
  kubernetesVersion: string;
  etcdVersion: string;
  /** Temp dir holding data, credentials and logs; removed by stop(). */
  dir: string;
  /** Pids of etcd, kube-apiserver, kube-controller-manager and the watchdog. */
  pids: number[];
  /**
   * Stops kube-apiserver (SIGTERM, as a rolling restart does), keeps it down for `downMs`, then
   * starts it again on the same port with the same data and waits for `/readyz`: what the fault
   * tests provoke mid-reconcile (issue 14).
   */
  restartApiServer(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Options for {@link startControlPlane}. */
export interface StartOptions {
  binaries: ControlPlaneBinaries;
  log: (line: string) => void;
  /** Parent of the temp dir (default: the OS temp dir). */
  tmpRoot?: string;
  readyTimeoutMs?: number;
}

/**
 * Starts etcd, kube-apiserver (TLS with a fresh CA, admin client cert, RBAC, service-account
 * keys, bound to 127.0.0.1) and kube-controller-manager (namespace deletion, garbage collection,
 * service accounts), waits for `/readyz`, and writes a kubeconfig. A watchdog removes everything
 * if the calling process dies without calling stop().
 */
export async function startControlPlane(options: StartOptions): Promise<ControlPlane> {
  const dir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), "mooring-cp-"));
  const reaperPid = startReaper(dir);
  const procs: ManagedProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const proc of [...procs].reverse()) await stopProcess(proc);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const started = await startAll(dir, options, procs);
    const pids = [...procs.map((p) => p.child.pid ?? 0), reaperPid];
    const { restart, ...rest } = started;
    return { ...rest, dir, pids, stop, restartApiServer: restart };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startAll(
  dir: string,
  options: StartOptions,
  procs: ManagedProcess[],
): Promise<
  Omit<ControlPlane, "dir" | "pids" | "stop" | "restartApiServer"> & {
    restart: (downMs?: number) => Promise<void>;
  }
> {
  const timeout = options.readyTimeoutMs ?? 120_000;
  const pki = await generatePki(dir);
  const track = async (proc: ManagedProcess): Promise<ManagedProcess> => {
    procs.push(proc);
    await appendFile(join(dir, "pids"), `${proc.child.pid ?? ""}\n`);
    return proc;
  };
  const etcdUrl = await startEtcd(dir, options.binaries.etcd, track, timeout);
  const apiPort = await freePort();
  const server = `https://127.0.0.1:${apiPort}`;
  const tls = await tlsClient(pki);
  const startApiServer = async (): Promise<ManagedProcess> => {
    const proc = await track(
      startProcess(
        "kube-apiserver",
        options.binaries["kube-apiserver"],
        apiserverArgs(pki, etcdUrl, apiPort, dir),
        join(dir, "kube-apiserver.log"),
      ),
    );
    await waitUntilReady(proc, async () => (await httpsGet(`${server}/readyz`, tls)).status === 200, timeout);
    return proc;
  };
  let apiserver = await startApiServer();
  const restart = async (downMs = 0): Promise<void> => {
    await stopProcess(apiserver);
    procs.splice(procs.indexOf(apiserver), 1);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    apiserver = await startApiServer();
  };
  const kubeconfigPath = join(dir, "kubeconfig");
  await writeKubeconfig(kubeconfigPath, server, pki);
  const kcmPort = await freePort();
  const kcm = await track(
    startProcess(
      "kube-controller-manager",
      options.binaries["kube-controller-manager"],
      controllerManagerArgs(pki, kubeconfigPath, kcmPort),
      join(dir, "kube-controller-manager.log"),
    ),
  );
  // kube-controller-manager serves /healthz with a self-signed certificate of its own.
  const kcmHealth = `https://127.0.0.1:${kcmPort}/healthz`;
  await waitUntilReady(
    kcm,
    async () => (await httpsGet(kcmHealth, { insecure: true })).status === 200,
    timeout,
  );
  return {
    restart,
    server,
    kubeconfigPath,
    kubernetesVersion: await binaryVersion(options.binaries["kube-apiserver"], /Kubernetes (v\S+)/),
    etcdVersion: await binaryVersion(options.binaries.etcd, /etcd Version: (\S+)/),
  };
}

async function startEtcd(
  dir: string,
  binary: string,
  track: (p: ManagedProcess) => Promise<ManagedProcess>,
  timeout: number,
): Promise<string> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    "--name=mooring",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=mooring=${peerUrl}`,
    // Test data is disposable; fsync only costs time.
    "--unsafe-no-fsync",
    "--log-level=warn",
  ];
  const etcd = await track(startProcess("etcd", binary, args, join(dir, "etcd.log")));
  await waitUntilReady(etcd, async () => (await fetch(`${clientUrl}/health`)).ok, timeout);
  return clientUrl;
}

function apiserverArgs(pki: Pki, etcdUrl: string, port: number, dir: string): string[] {
  return [
    `--etcd-servers=${etcdUrl}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${port}`,
    `--cert-dir=${join(dir, "apiserver-certs")}`,
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`,
    "--authorization-mode=RBAC",
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    // Room for benchmarks with thousands of Services (a /24 runs out at 254).
    "--service-cluster-ip-range=10.96.0.0/16",
    // The endpoint reconciler refuses a loopback advertise address; nothing here needs the
    // in-cluster "kubernetes" Service endpoints.
    "--endpoint-reconciler-type=none",
    "--profiling=false",
  ];
}

/** Only the controllers whose behaviour mooring relies on; no workload controllers, since there is no kubelet. */
const CONTROLLERS = [
  "namespace-controller",
  "garbage-collector-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "clusterrole-aggregation-controller",
  "root-ca-certificate-publisher-controller",
];

function controllerManagerArgs(pki: Pki, kubeconfig: string, port: number): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    "--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics",
    `--controllers=${CONTROLLERS.join(",")}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    "--leader-elect=false",
    "--profiling=false",
  ];
}

async function tlsClient(pki: Pki): Promise<TlsClient> {
  return {
    ca: await readFile(pki.caCert, "utf8"),
    cert: await readFile(pki.adminCert, "utf8"),
    key: await readFile(pki.adminKey, "utf8"),
  };
}

async function binaryVersion(binary: string, pattern: RegExp): Promise<string> {
  const result = await run(binary, ["--version"]);
  return pattern.exec(result.stdout + result.stderr)?.[1] ?? "unknown";
}

function startReaper(dir: string): number {
  const self = fileURLToPath(import.meta.url);
  const reaper = join(self, "..", `reaper${extname(self)}`);
  const child = spawn(process.execPath, ["--no-warnings", reaper, String(process.pid), dir], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  return child.pid ?? 0;
}
