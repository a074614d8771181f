/**
 * One SSH connection to a git server (ssh2), for `ssh://` GitRepository URLs.
 *
 * The server's host key is checked strictly against the Secret's `known_hosts` (only the key
 * types listed there are offered, so the server presents one that can be checked); a failure of
 * any kind becomes an {@link SshTransportError} whose message says what to fix. Private keys and
 * passphrases never enter a message.
 */
import ssh2, { type Client, type ClientChannel } from "ssh2";
import { blobType, fingerprint, hostKeyAlgorithms, type HostKeys, knownHostName } from "./known-hosts.js";

/** Where and as whom to connect, from the URL and the Secret (see git-auth.ts). */
export interface SshRemote {
  readonly host: string;
  readonly port: number;
  /** The URL's user, `git` when it names none (as Flux). */
  readonly user: string;
  /** Repository path as git sends it to `git-upload-pack`. */
  readonly path: string;
  /** Private key text ssh2 can read (see ssh-identity.ts). */
  readonly privateKey: string;
  readonly passphrase?: string;
  /** known_hosts entries for this host and port. */
  readonly hostKeys: HostKeys;
}

/** What went wrong, for the error classification (git-errors.ts). */
export type SshFailure =
  "auth-refused" | "host-key-mismatch" | "host-key-unknown" | "unreachable" | "repository" | "protocol";

/** A failure of the SSH transport; `message` is safe to show and says what to do. */
export class SshTransportError extends Error {
  override readonly name = "SshTransportError";
  constructor(
    readonly failure: SshFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface LevelledError extends Error {
  level?: string;
  code?: string;
}

const FIX_HOST_KEY = (r: SshRemote): string =>
  `get the server's key with 'ssh-keyscan${r.port === 22 ? "" : ` -p ${r.port}`} ${r.host}' (or 'flux create secret git --url=…') and put it in 'known_hosts' of spec.secretRef`;

/** Rejects a remote whose known_hosts has nothing usable for its host before any connection. */
function checkKnownHosts(r: SshRemote): void {
  if (r.hostKeys.keys.length > 0) return;
  const name = knownHostName(r.host, r.port);
  const why =
    r.hostKeys.certAuthorities > 0
      ? `'known_hosts' names '${name}' only through @cert-authority lines, and host certificates are not supported`
      : `'known_hosts' has no entry for '${name}'`;
  throw new SshTransportError(
    "host-key-unknown",
    `ssh: handshake failed: knownhosts: key is unknown: ${why}: ${FIX_HOST_KEY(r)}`,
  );
}

function translate(err: LevelledError, r: SshRemote): SshTransportError {
  if (err.level === "client-authentication") {
    return new SshTransportError(
      "auth-refused",
      `ssh: handshake failed: unable to authenticate as '${r.user}': the server refused the key 'identity' of spec.secretRef: add its public key to the repository (deploy key) or check the user in spec.url`,
      { cause: err },
    );
  }
  if (err.level === "client-socket" || err.level === "client-dns" || err.level === "client-timeout") {
    const what = err.code ?? (err.level === "client-timeout" ? "handshake timed out" : err.message);
    return new SshTransportError(
      "unreachable",
      `cannot reach the git server (${what}): check spec.url and the network`,
      { cause: err },
    );
  }
  if (/no matching host key format/i.test(err.message)) {
    const types = r.hostKeys.keys.map((k) => k.type).join(", ");
    return new SshTransportError(
      "host-key-mismatch",
      `ssh: handshake failed: knownhosts: key mismatch: the server has no host key of the types in 'known_hosts' (${types}): ${FIX_HOST_KEY(r)}`,
      { cause: err },
    );
  }
  return new SshTransportError("protocol", `ssh: handshake failed: ${err.message}`, { cause: err });
}

/** An open, authenticated connection; `exec` runs one command per channel. */
export class SshConnection {
  private constructor(private readonly client: Client) {}

  /** Connects, checks the host key and authenticates; rejects with an {@link SshTransportError}. */
  static open(r: SshRemote, opts: { signal?: AbortSignal; readyTimeoutMs?: number }): Promise<SshConnection> {
    checkKnownHosts(r);
    const client = new ssh2.Client();
    let hostProblem: SshTransportError | undefined;
    const verify = (key: Buffer): boolean => {
      const revoked = r.hostKeys.revoked.some((k) => k.blob.equals(key));
      if (!revoked && r.hostKeys.keys.some((k) => k.blob.equals(key))) return true;
      const presented = `${blobType(key)} host key ${fingerprint(key)}`;
      hostProblem = new SshTransportError(
        "host-key-mismatch",
        revoked
          ? `ssh: handshake failed: knownhosts: the server presented a revoked ${presented}`
          : `ssh: handshake failed: knownhosts: key mismatch: the server presented a ${presented} that is not in 'known_hosts' for '${knownHostName(r.host, r.port)}'; if the server's key changed on purpose, ${FIX_HOST_KEY(r)}`,
      );
      return false;
    };
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        client.destroy();
        reject(opts.signal?.reason as Error);
      };
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      client.on("error", (err: LevelledError) => {
        opts.signal?.removeEventListener("abort", onAbort);
        reject(hostProblem ?? translate(err, r));
      });
      client.once("ready", () => {
        opts.signal?.removeEventListener("abort", onAbort);
        opts.signal?.addEventListener("abort", () => client.destroy(), { once: true });
        resolve(new SshConnection(client));
      });
      client.connect({
        host: r.host.replace(/^\[(.*)\]$/, "$1"),
        port: r.port,
        username: r.user,
        privateKey: r.privateKey,
        ...(r.passphrase === undefined ? {} : { passphrase: r.passphrase }),
        hostVerifier: verify,
        algorithms: { serverHostKey: hostKeyAlgorithms(r.hostKeys.keys) as never },
        readyTimeout: opts.readyTimeoutMs ?? 20_000,
        tryKeyboard: false,
      });
    });
  }

  /** Starts `command` on a new channel (with `env`, which the server may ignore). */
  exec(command: string, env: Record<string, string> = {}): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, { env }, (err, channel) => {
        if (err)
          reject(
            new SshTransportError("protocol", `ssh: cannot start '${command}': ${err.message}`, {
              cause: err,
            }),
          );
        else resolve(channel);
      });
    });
  }

  /** Closes the connection (and every channel on it). */
  close(): void {
    this.client.end();
  }
}

/** The remote command for the repository, quoted as git quotes it (`git-upload-pack '<path>'`). */
export function uploadPackCommand(path: string): string {
  return `git-upload-pack '${path.replace(/'/g, "'\\''").replace(/!/g, "'\\!'")}'`;
}
