/**
 * Recognising "this field is immutable" API errors (flux-compat §4.3), the trigger for force
 * recreation. Like Flux (and kubectl) this is generous: any 409 Conflict and any 422 Invalid
 * counts, plus messages from webhooks and CEL rules that say `is immutable` / `immutable field`.
 */

const IMMUTABLE_MESSAGE = /is\simmutable|immutable\sfield/;

interface StatusFields {
  code?: number;
  reason?: string;
  message?: string;
}

const pickNumber = (...values: unknown[]): number | undefined =>
  values.find((v): v is number => typeof v === "number");

/** Reads a Kubernetes `Status` from an error body (object or JSON text). */
function statusOf(body: unknown): StatusFields {
  let value = body;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return { message: value as string };
    }
  }
  if (typeof value !== "object" || value === null) return {};
  const s = value as Record<string, unknown>;
  return {
    code: pickNumber(s.code),
    reason: typeof s.reason === "string" ? s.reason : undefined,
    message: typeof s.message === "string" ? s.message : undefined,
  };
}

/** The HTTP status, reason and text of an API error (`KubeApiError`, or any error with a `code` and a Status `body`). */
export function describeApiError(err: unknown): { code?: number; reason?: string; text: string } {
  if (typeof err !== "object" || err === null) return { text: String(err) };
  const e = err as Record<string, unknown>;
  const response =
    typeof e.response === "object" && e.response !== null ? (e.response as Record<string, unknown>) : {};
  const status = statusOf(e.body ?? response.body);
  const code = pickNumber(e.code, e.statusCode, response.statusCode, status.code);
  const text = [typeof e.message === "string" ? e.message : "", status.message ?? ""].join("\n");
  return {
    ...(code !== undefined && { code }),
    ...(status.reason !== undefined && { reason: status.reason }),
    text,
  };
}

/** `metav1.StatusReason` values apimachinery knows; an unknown reason falls back to the code. */
const KNOWN_REASONS = new Set([
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "AlreadyExists",
  "Conflict",
  "Gone",
  "Invalid",
  "ServerTimeout",
  "StoreReadError",
  "Timeout",
  "TooManyRequests",
  "BadRequest",
  "MethodNotAllowed",
  "NotAcceptable",
  "RequestEntityTooLarge",
  "UnsupportedMediaType",
  "InternalError",
  "Expired",
  "ServiceUnavailable",
]);

/** True when the error "looks immutable" in Flux's sense. */
export function isImmutableError(err: unknown): boolean {
  const { code, reason, text } = describeApiError(err);
  if (reason === "Conflict" || reason === "Invalid") return true;
  const unknownReason = reason === undefined || !KNOWN_REASONS.has(reason);
  if (unknownReason && (code === 409 || code === 422)) return true;
  return IMMUTABLE_MESSAGE.test(text);
}
