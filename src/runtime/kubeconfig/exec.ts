/**
 * A kubeconfig `exec` credential plugin (client.authentication.k8s.io/v1 and v1beta1): the command
 * prints an ExecCredential whose status holds a token or a client certificate and key. The answer
 * is reused until its `expirationTimestamp` (for ever when it has none, as client-go does until a
 * 401); concurrent requests share one run of the command.
 */
import { execFile } from "node:child_process";
import { isJsonObject } from "../../util/kube-object.js";
import { KubeConfigError } from "./document.js";

/** The `user.exec` settings mooring supports. */
export interface ExecPlugin {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly apiVersion: string;
  /** `spec.cluster` of the ExecCredential when `provideClusterInfo` is set. */
  readonly cluster?: Readonly<Record<string, unknown>>;
}

/** What the plugin answered. */
export interface ExecResult {
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Runs a command with extra environment and returns its stdout; the default uses execFile. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
) => Promise<string>;

/** A timeout long enough for a cloud CLI's token refresh. */
const EXEC_TIMEOUT_MS = 60_000;

/** `baseEnv` (the process environment) with `extra` on top, through execFile. */
export function commandRunner(baseEnv: Readonly<Record<string, string | undefined>>): CommandRunner {
  return (command, args, extra) =>
    new Promise((resolve, reject) => {
      execFile(
        command,
        [...args],
        { env: { ...baseEnv, ...extra }, timeout: EXEC_TIMEOUT_MS, maxBuffer: 1 << 20 },
        (err, stdout, stderr) => {
          if (err) {
            const detail = String(stderr).trim().split("\n").slice(-3).join(" ");
            reject(new Error(`kubeconfig exec plugin '${command}' failed: ${err.message} ${detail}`.trim()));
          } else resolve(String(stdout));
        },
      );
    });
}

/** The credential of one exec plugin, cached until it expires. */
export class ExecCredentials {
  private cached: { result: ExecResult; expiresAt: number } | undefined;
  private running: Promise<ExecResult> | undefined;

  constructor(
    private readonly plugin: ExecPlugin,
    private readonly run: CommandRunner,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<ExecResult> {
    if (this.cached && this.cached.expiresAt > this.now()) return Promise.resolve(this.cached.result);
    this.running ??= this.fetch().finally(() => (this.running = undefined));
    return this.running;
  }

  private async fetch(): Promise<ExecResult> {
    const { command, args, env, apiVersion, cluster } = this.plugin;
    const info = {
      apiVersion,
      kind: "ExecCredential",
      spec: { interactive: false, ...(cluster ? { cluster } : {}) },
    };
    const out = await this.run(command, args, { ...env, KUBERNETES_EXEC_INFO: JSON.stringify(info) });
    const { result, expiresAt } = parseExecCredential(out, command);
    this.cached = { result, expiresAt };
    return result;
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The `status` of the ExecCredential JSON `out`. */
function statusOf(out: string, command: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(out);
  } catch {
    throw new KubeConfigError(
      `kubeconfig exec plugin '${command}' did not print an ExecCredential (not JSON)`,
    );
  }
  return isJsonObject(doc) && isJsonObject(doc.status) ? doc.status : {};
}

/** The status of an ExecCredential printed by `command`. */
export function parseExecCredential(out: string, command: string): { result: ExecResult; expiresAt: number } {
  const status = statusOf(out, command);
  const token = str(status.token);
  const cert = str(status.clientCertificateData);
  const key = str(status.clientKeyData);
  if (token === undefined && (cert === undefined || key === undefined))
    throw new KubeConfigError(
      `kubeconfig exec plugin '${command}' printed no status.token nor status.clientCertificateData and clientKeyData`,
    );
  const expiry = str(status.expirationTimestamp);
  const expiresAt = expiry === undefined ? Number.POSITIVE_INFINITY : Date.parse(expiry);
  if (Number.isNaN(expiresAt))
    throw new KubeConfigError(`kubeconfig exec plugin '${command}' printed an invalid expirationTimestamp`);
  return {
    result: { ...(token ? { token } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) },
    expiresAt,
  };
}
