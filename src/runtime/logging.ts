/**
 * Structured logging with Flux's JSON keys (`level`, `ts`, `msg`, `error`, `controller`,
 * `controllerKind`, `name`, `namespace`, `reconcileID`) so `flux logs` and log pipelines built for
 * Flux read mooring's output; human-readable when writing to a terminal.
 *
 * Every string that goes out passes the credential sanitiser, and well-known secret-bearing fields
 * are redacted, so a careless `log.info({ url })` cannot leak a token.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import pretty from "pino-pretty";
import { messageOf } from "./errors.js";
import { sanitizeMessage } from "./sanitize.js";

export type { Logger } from "pino";

/** Logging configuration (from `--log-level`, `--log-encoding`). */
export interface LoggingOptions {
  /** pino level: trace, debug, info (default), warn, error. */
  readonly level?: string;
  /** `json`, `console` (pretty) or `auto` (pretty when `isTTY`). Default auto. */
  readonly encoding?: "json" | "console" | "auto";
  /** Whether the output is a terminal (the composition root passes `process.stdout.isTTY`). */
  readonly isTTY?: boolean;
  /** Where JSON lines go; stdout when absent. */
  readonly destination?: DestinationStream;
}

/** Field paths whose values are replaced wholesale. */
const REDACT_PATHS = [
  "password",
  "token",
  "bearerToken",
  "identity",
  "secret",
  "authorization",
  "*.password",
  "*.token",
  "*.bearerToken",
  "*.identity",
  "*.authorization",
  "*.headers.authorization",
  "headers.authorization",
];

const MAX_DEPTH = 6;

/** Deep copy of `value` with every string sanitised. */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return sanitizeMessage(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return sanitizeMessage(messageOf(value));
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

/** The pino options implementing Flux's format. */
export function loggerOptions(level = "info"): LoggerOptions {
  return {
    level,
    base: undefined,
    messageKey: "msg",
    errorKey: "error",
    timestamp: () => `,"ts":"${new Date().toISOString()}"`,
    redact: { paths: REDACT_PATHS, censor: "*****" },
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => scrub(obj) as Record<string, unknown>,
    },
    serializers: { error: (err: unknown) => sanitizeMessage(messageOf(err)) },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === "string" ? sanitizeMessage(a) : a));
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  };
}

/** The root logger of a process. */
export function createLogger(options: LoggingOptions = {}): Logger {
  const encoding = options.encoding ?? "auto";
  const usePretty = encoding === "console" || (encoding === "auto" && options.isTTY === true);
  const opts = loggerOptions(options.level);
  if (usePretty) {
    return pino(
      opts,
      pretty({ colorize: options.isTTY === true, messageKey: "msg", timestampKey: "ts", sync: true }),
    );
  }
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** Identity of one reconcile, for its child logger. */
export interface ReconcileLogFields {
  readonly controller: string;
  readonly controllerKind: string;
  readonly name: string;
  readonly namespace: string;
  readonly reconcileID: string;
}

/**
 * The child logger of one reconcile, carrying Flux's keys (including the `<Kind>: {name,
 * namespace}` object controller-runtime adds).
 */
export function reconcileLogger(base: Logger, fields: ReconcileLogFields): Logger {
  return base.child({
    controller: fields.controller,
    controllerKind: fields.controllerKind,
    [fields.controllerKind]: { name: fields.name, namespace: fields.namespace },
    namespace: fields.namespace,
    name: fields.name,
    reconcileID: fields.reconcileID,
  });
}
