/**
 * Flux's request checks per Receiver type (notification-controller `validate`), as one pure
 * function of the request headers and raw body:
 * - `generic`: none beyond knowing the path (which hashes the token);
 * - `generic-hmac`: `X-Signature: sha1=<hex>|sha256=<hex>|sha512=<hex>`, an HMAC of the body;
 * - `github`: `X-Hub-Signature-256: sha256=<hex>`, else `X-Hub-Signature: sha1=<hex>`; the event
 *   (`X-GitHub-Event`) must be in `spec.events` when that is set;
 * - `gitlab`: `X-Gitlab-Token` equals the token; the event (`X-Gitlab-Event`) must be in
 *   `spec.events` when that is set.
 * Events compare case-insensitively, as Flux's `strings.EqualFold`. Comparisons of secrets are
 * constant-time. Messages never contain the token or the expected signature.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { ReceiverType } from "../api/receiver.js";

/** Request headers, lower-case names (node's `IncomingMessage.headers`). */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** What a check decided. */
export type AuthResult =
  | { readonly ok: true; readonly event: string | undefined }
  /** 401: the signature or token is missing or wrong; 403: the event type is not accepted. */
  | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

/** What the check needs of the Receiver. */
export interface AuthInput {
  readonly type: ReceiverType;
  readonly token: string;
  /** `spec.events`; empty or absent accepts every event. */
  readonly events: readonly string[] | undefined;
  readonly headers: RequestHeaders;
  readonly body: Buffer;
}

const ALGORITHMS: Readonly<Record<string, string>> = { sha1: "sha1", sha256: "sha256", sha512: "sha512" };

function header(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

const refuse = (message: string): AuthResult => ({ ok: false, status: 401, message });

/**
 * Checks `<algorithm>=<hex>` against the HMAC of `body` with `token` (go-github's
 * `ValidateSignature`, which Flux uses for both github and generic-hmac).
 */
export function checkSignature(
  signature: string | undefined,
  body: Buffer,
  token: string,
): string | undefined {
  if (signature === undefined || signature === "") return "missing signature";
  const eq = signature.indexOf("=");
  const algorithm = ALGORITHMS[signature.slice(0, eq)];
  if (eq < 0 || algorithm === undefined) return "signature must be sha1=<hex>, sha256=<hex> or sha512=<hex>";
  const given = Buffer.from(signature.slice(eq + 1), "hex");
  const expected = createHmac(algorithm, token).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return "payload signature check failed";
  return undefined;
}

/** The event must be one of `events` (case-insensitive) when `events` is not empty. */
function eventAllowed(
  event: string | undefined,
  events: readonly string[] | undefined,
  sender: string,
): AuthResult {
  if (events === undefined || events.length === 0) return { ok: true, event };
  const lower = (event ?? "").toLowerCase();
  if (events.some((e) => e.toLowerCase() === lower)) return { ok: true, event };
  return { ok: false, status: 403, message: `the ${sender} event "${event ?? ""}" is not authorised` };
}

/** Decides whether the request may trigger the Receiver; see the module comment. */
export function authenticate(input: AuthInput): AuthResult {
  const { headers, body, token } = input;
  switch (input.type) {
    case "generic":
      return { ok: true, event: undefined };
    case "generic-hmac": {
      const failed = checkSignature(header(headers, "x-signature"), body, token);
      return failed === undefined
        ? { ok: true, event: undefined }
        : refuse(`unable to validate HMAC signature: ${failed}`);
    }
    case "github": {
      const signature = header(headers, "x-hub-signature-256") ?? header(headers, "x-hub-signature");
      const failed = checkSignature(signature, body, token);
      if (failed !== undefined) return refuse(`the GitHub signature header is invalid: ${failed}`);
      return eventAllowed(header(headers, "x-github-event"), input.events, "GitHub");
    }
    case "gitlab": {
      const given = header(headers, "x-gitlab-token");
      if (given === undefined || !sameSecret(given, token))
        return refuse("the X-Gitlab-Token header value does not match the receiver token");
      return eventAllowed(header(headers, "x-gitlab-event"), input.events, "GitLab");
    }
  }
}
