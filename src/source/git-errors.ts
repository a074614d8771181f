/**
 * Turns what isomorphic-git, the network and the transport throw into Flux's reasons
 * (flux-compat §1.4): AuthenticationFailed for 401/403 and a refused SSH key, EmptyGitRepository,
 * GitOperationFailed for everything else (host key problems included, as Flux), each with a message that says what to fix and carries no credentials.
 */
import { Reason } from "../api/index.js";
import { findReconcileError, GenericError, messageOf, type ReconcileError } from "../runtime/errors.js";
import { PackTooLargeError } from "./git-http.js";
import { SshTransportError } from "./git-ssh.js";

/** Context for messages. */
export interface GitErrorContext {
  /** URL without credentials. */
  readonly url: string;
  readonly secrets: readonly string[];
  /** Where the credentials sent came from (see GitAuth). */
  readonly credentialSource: "secretRef" | "url" | "none";
  /** Set when the caller's signal fired (timeout). */
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

interface IsoGitError {
  code?: string;
  data?: { statusCode?: number; statusMessage?: string };
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ETIMEDOUT",
  "ENETUNREACH",
]);

function httpStatus(err: unknown): number | undefined {
  const e = err as IsoGitError;
  return e.code === "HttpError" ? e.data?.statusCode : undefined;
}

type Description = { reason: string; detail: string };

/** Where to look when the server refuses the credentials, by where they came from (issue 14). */
const CREDENTIALS: Readonly<Record<GitErrorContext["credentialSource"], { check: string; holder: string }>> =
  {
    secretRef: {
      check: "check the credentials in spec.secretRef",
      holder: "the credentials in spec.secretRef",
    },
    url: { check: "check the username and password in spec.url", holder: "the credentials in spec.url" },
    none: { check: "the repository needs credentials: set spec.secretRef", holder: "anonymous access" },
  };

function describeHttp(status: number, source: GitErrorContext["credentialSource"]): Description {
  const where = CREDENTIALS[source];
  if (status === 401) {
    return {
      reason: Reason.AuthenticationFailed,
      detail: `authentication required (HTTP 401): ${where.check}`,
    };
  }
  if (status === 403) {
    return {
      reason: Reason.AuthenticationFailed,
      detail: `authorization failed (HTTP 403): ${where.holder} has no read access`,
    };
  }
  if (status === 407) {
    return {
      reason: Reason.AuthenticationFailed,
      detail:
        "proxy authentication required (HTTP 407): check 'username' and 'password' in spec.proxySecretRef",
    };
  }
  if (status === 404) {
    return { reason: Reason.GitOperationFailed, detail: "repository not found (HTTP 404): check spec.url" };
  }
  return {
    reason: Reason.GitOperationFailed,
    detail: `unexpected HTTP status ${status} from the git server`,
  };
}

/**
 * The status a proxy refused a request with: undici reports it only in its message, for a
 * forwarded request (`Proxy Authentication Required (407)`) and for a CONNECT tunnel.
 */
function proxyStatus(err: unknown): number | undefined {
  const m =
    /^Proxy (?:Authentication Required \((\d{3})\)|response \((\d{3})\) !== 200 when HTTP Tunneling)$/.exec(
      messageOf(err),
    );
  return m === null ? undefined : Number(m[1] ?? m[2]);
}

function describeCode(code: string | undefined): Description | undefined {
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return {
      reason: Reason.GitOperationFailed,
      detail: `cannot reach the git server (${code}): check spec.url and the network`,
    };
  }
  if (code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS/i.test(code)) {
    return {
      reason: Reason.GitOperationFailed,
      detail: `TLS verification failed (${code}): add the server's CA as 'ca.crt' to spec.secretRef`,
    };
  }
  return undefined;
}

/** An SSH failure's message already says what to fix; only a refused key changes the reason. */
function describeSsh(err: unknown): Description | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (!(e instanceof SshTransportError)) continue;
    const reason = e.failure === "auth-refused" ? Reason.AuthenticationFailed : Reason.GitOperationFailed;
    return { reason, detail: e.message };
  }
  return undefined;
}

function describe(err: unknown, ctx: GitErrorContext): Description {
  const status = httpStatus(err) ?? proxyStatus(err);
  if (status !== undefined) return describeHttp(status, ctx.credentialSource);
  if (err instanceof PackTooLargeError) {
    return {
      reason: Reason.GitOperationFailed,
      detail: `${err.message}; narrow the ref, split the repository or raise the controller's maximum pack size`,
    };
  }
  if (ctx.signal?.aborted === true) {
    const after = ctx.timeoutMs === undefined ? "" : ` after ${ctx.timeoutMs / 1000}s`;
    return {
      reason: Reason.GitOperationFailed,
      detail: `operation timed out${after}: raise spec.timeout or check the server`,
    };
  }
  return (
    describeSsh(err) ??
    describeCode((err as NodeJS.ErrnoException).code) ?? {
      reason: Reason.GitOperationFailed,
      detail: messageOf(err),
    }
  );
}

/**
 * Wraps any failure of a clone step in a {@link ReconcileError} (kept as is when it already is one).
 * Message shape follows Flux: `failed to checkout and determine revision: unable to clone '<url>': <detail>`.
 */
export function classifyGitError(err: unknown, ctx: GitErrorContext): ReconcileError {
  const known = findReconcileError(err);
  if (known !== undefined) return known;
  const { reason, detail } = describe(err, ctx);
  return new GenericError(
    reason,
    `failed to checkout and determine revision: unable to clone '${ctx.url}': ${detail}`,
    {
      cause: err,
      secrets: ctx.secrets,
    },
  );
}
