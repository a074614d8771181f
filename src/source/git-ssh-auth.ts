/**
 * SSH credentials for an `ssh://` GitRepository, from Flux's Secret format (flux-compat §1.1, as
 * `flux create secret git` and `flux bootstrap` write it): `identity` (private key), `known_hosts`
 * (required: the host key is always checked), `password` (the key's passphrase). The user is the
 * URL's, `git` when it names none. Problems are AuthenticationFailed and never quote the key.
 */
import { Reason } from "../api/index.js";
import { GenericError } from "../runtime/errors.js";
import type { SshRemote } from "./git-ssh.js";
import { hostKeysFor, parseKnownHosts } from "./known-hosts.js";
import { loadIdentity } from "./ssh-identity.js";

const text = (data: Readonly<Record<string, string>>, key: string): string | undefined => {
  const v = data[key];
  return v === undefined || v.trim() === "" ? undefined : v;
};

const SECRET_HINT = "e.g. from 'flux create secret git --url=ssh://… --private-key-file=…'";

/** The repository path as git sends it: `/~user/x` means `~user/x` (relative to a home). */
export function sshRepositoryPath(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return path.startsWith("/~") ? path.slice(1) : path;
}

/** The remote, the URL to show, and the values to scrub; throws AuthenticationFailed. */
export function sshAuthFor(
  url: URL,
  data: Readonly<Record<string, string>> | undefined,
  secretName: string | undefined,
): { remote: SshRemote; url: string; secrets: string[] } {
  const fail = (problem: string, secrets: string[] = []): never => {
    throw new GenericError(Reason.AuthenticationFailed, problem, { secrets });
  };
  if (data === undefined || secretName === undefined) {
    return fail(
      `an ssh:// URL needs spec.secretRef: a Secret with 'identity' and 'known_hosts' (${SECRET_HINT})`,
    );
  }
  const identity = text(data, "identity");
  const passphrase = text(data, "password");
  const knownHosts = text(data, "known_hosts");
  const secrets = [identity, passphrase].filter((v): v is string => v !== undefined);
  const where = `invalid credentials in secret '${secretName}'`;
  if (identity === undefined)
    fail(`${where}: 'identity' (the private key) is required for an ssh:// URL`, secrets);
  if (knownHosts === undefined)
    fail(`${where}: 'known_hosts' is required for an ssh:// URL (${SECRET_HINT})`, secrets);
  const key = loadIdentity(identity!, passphrase);
  if ("problem" in key) return fail(`${where}: ${key.problem}`, secrets);
  const port = url.port === "" ? 22 : Number(url.port);
  const host = url.hostname;
  const shown = new URL(url.toString());
  shown.password = "";
  return {
    remote: {
      host,
      port,
      user: url.username === "" ? "git" : decodeURIComponent(url.username),
      path: sshRepositoryPath(url),
      privateKey: key.key,
      ...(passphrase === undefined ? {} : { passphrase }),
      hostKeys: hostKeysFor(parseKnownHosts(knownHosts!), host, port),
    },
    url: shown.toString(),
    secrets: [...secrets, ...(url.password === "" ? [] : [decodeURIComponent(url.password)])],
  };
}
