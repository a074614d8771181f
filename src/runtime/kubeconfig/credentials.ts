/**
 * The credentials every request to a cluster is sent with, in the two-method shape the transport
 * asks for ({@link KubeConfig}); client-node's KubeConfig has the same two methods, so tooling and
 * tests that hold one can hand it to the controller's code unchanged.
 */
import { readFile } from "node:fs/promises";
import type { RequestOptions as HttpsRequestOptions } from "node:https";
import { type CommandRunner, ExecCredentials, type ExecPlugin } from "./exec.js";

/** What a request needs: the server (and proxy) to talk to, and the TLS and auth options to use. */
export interface KubeConfig {
  getCurrentCluster(): { readonly server: string; readonly proxyUrl?: string | undefined } | null;
  /** Sets `ca`, `cert`, `key`, `rejectUnauthorized`, `servername`, `auth` and auth headers. */
  applyToHTTPSOptions(opts: HttpsRequestOptions): Promise<void>;
}

/** PEM or token text: inline, or a file read again at most once a minute (rotation). */
export type Material = { readonly data: string } | { readonly file: string; readonly what: string };

/** A kubeconfig cluster entry as mooring uses it. */
export interface ClusterSettings {
  readonly server: string;
  readonly ca?: Material;
  readonly insecureSkipTlsVerify?: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
}

/** A kubeconfig user entry as mooring uses it. */
export interface UserSettings {
  readonly token?: Material;
  readonly cert?: Material;
  readonly key?: Material;
  readonly username?: string;
  readonly password?: string;
  readonly exec?: ExecPlugin;
}

/** How long a credential file's content is reused: client-go re-reads its token file each minute. */
export const FILE_REFRESH_MS = 60_000;

/** The dependencies {@link KubeCredentials} reaches the outside world with. */
export interface CredentialDeps {
  readonly readText?: (path: string) => Promise<string>;
  readonly runCommand?: CommandRunner;
  readonly now?: () => number;
}

/** A loaded kubeconfig context: its cluster, user and namespace. */
export class KubeCredentials implements KubeConfig {
  private readonly files = new Map<string, { text: Promise<string>; readAt: number }>();
  private readonly exec: ExecCredentials | undefined;
  private readonly readText: (path: string) => Promise<string>;
  private readonly now: () => number;

  constructor(
    readonly cluster: ClusterSettings,
    readonly user: UserSettings,
    /** The context's namespace, when it names one. */
    readonly namespace?: string,
    deps: CredentialDeps = {},
  ) {
    this.readText = deps.readText ?? ((p) => readFile(p, "utf8"));
    this.now = deps.now ?? Date.now;
    if (user.exec) {
      if (!deps.runCommand) throw new Error("a kubeconfig with an exec plugin needs a command runner");
      this.exec = new ExecCredentials(user.exec, deps.runCommand, this.now);
    }
  }

  getCurrentCluster(): { readonly server: string; readonly proxyUrl?: string } {
    const { server, proxyUrl } = this.cluster;
    return proxyUrl === undefined ? { server } : { server, proxyUrl };
  }

  async applyToHTTPSOptions(opts: HttpsRequestOptions): Promise<void> {
    const { cluster } = this;
    const ca = await this.material(cluster.ca);
    if (ca !== undefined) opts.ca = ca;
    if (cluster.insecureSkipTlsVerify) opts.rejectUnauthorized = false;
    if (cluster.tlsServerName !== undefined) opts.servername = cluster.tlsServerName;
    await this.applyUser(opts);
  }

  /** The client certificate, bearer token or basic auth of the user (an exec plugin's first). */
  private async applyUser(opts: HttpsRequestOptions): Promise<void> {
    const { user } = this;
    const [cert, key, token, exec] = await Promise.all([
      this.material(user.cert),
      this.material(user.key),
      this.material(user.token),
      this.exec?.get(),
    ]);
    const pair = exec?.cert !== undefined ? { cert: exec.cert, key: exec.key } : { cert, key };
    if (pair.cert !== undefined && pair.key !== undefined) Object.assign(opts, pair);
    const bearer = exec?.token ?? token?.trim();
    if (bearer) opts.headers = { ...opts.headers, Authorization: `Bearer ${bearer}` };
    if (user.username !== undefined) opts.auth = `${user.username}:${user.password ?? ""}`;
  }

  private material(m: Material | undefined): Promise<string | undefined> {
    if (m === undefined) return Promise.resolve(undefined);
    if ("data" in m) return Promise.resolve(m.data);
    const cached = this.files.get(m.file);
    if (cached && this.now() - cached.readAt < FILE_REFRESH_MS) return cached.text;
    const text: Promise<string> = this.readText(m.file).catch((err: unknown) => {
      if (this.files.get(m.file)?.text === text) this.files.delete(m.file);
      throw new Error(`cannot read the kubeconfig's ${m.what} ${m.file}: ${(err as Error).message}`, {
        cause: err,
      });
    });
    this.files.set(m.file, { text, readAt: this.now() });
    return text;
  }
}
