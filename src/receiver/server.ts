/**
 * The webhook server (`--receiver-addr`, Flux's `:9292`): `POST /hook/<digest>` finds the Receiver
 * whose `status.webhookPath` is that path (an index of the Receiver cache), checks the request as
 * Flux does for its type, and annotates the Receiver's targets.
 *
 * Answers: 200 annotated; 401 signature or token wrong or missing; 403 event type not in
 * `spec.events`; 404 no Receiver has this path; 405 not a POST; 413 body over 3 MiB (Flux's
 * cap); 500 a target could not be annotated; 503 the Receiver is suspended or not Ready, or the
 * cache has not synced yet. Flux answers 400 to every failed check; mooring tells the sender which
 * check failed (the body says why, never with the token). It serves on every replica, reading the
 * cache the informers fill whether or not the replica leads, as Flux's receiver does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import type { Logger } from "pino";
import { RECEIVER_TOKEN_KEY, RECEIVER_WEBHOOK_PREFIX, type Receiver } from "../api/receiver.js";
import { isReady } from "../runtime/conditions.js";
import { listen, type ListeningServer } from "../runtime/listen.js";
import { authenticate } from "./authenticate.js";
import { checkReceiverSpec, type CheckedReceiver, type SpecOptions } from "./spec.js";
import { requestReconciles } from "./targets.js";

/** Flux's cap on a webhook body. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Flux's read timeout for a whole request. */
const REQUEST_TIMEOUT_MS = 30_000;

/** What the server reads from. */
export interface ReceiverServerDeps {
  readonly kubeConfig: KubeConfig;
  /** The Receiver whose `status.webhookPath` is `path`, from the cache. */
  readonly byWebhookPath: (path: string) => Receiver | undefined;
  /** True once the Receiver cache has listed. */
  readonly synced: () => boolean;
  /** The decoded data of a Secret in the Receiver's namespace (read per request, as Flux does). */
  readonly readSecret: (
    namespace: string,
    name: string,
    signal: AbortSignal,
  ) => Promise<Record<string, string> | undefined>;
  readonly options: SpecOptions;
  readonly log: Logger;
  readonly now?: () => Date;
}

class HttpAnswer extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpAnswer(413, `request body exceeds the maximum size of ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The Receiver whose webhook path this is. */
function receiverAt(deps: ReceiverServerDeps, path: string): Receiver {
  if (!deps.synced()) throw new HttpAnswer(503, "the receiver cache has not synced yet; retry shortly");
  const receiver = deps.byWebhookPath(path);
  if (receiver === undefined) throw new HttpAnswer(404, "no receiver for this path");
  return receiver;
}

/** Refuses a Receiver that may not be triggered now. */
function assertActive(receiver: Receiver): void {
  if (receiver.spec.suspend === true) throw new HttpAnswer(503, "receiver is suspended");
  if (!isReady(receiver)) throw new HttpAnswer(503, "receiver is not ready");
}

/** The checked spec and the token of a Receiver that may be triggered. */
async function credentialsOf(
  deps: ReceiverServerDeps,
  receiver: Receiver,
  signal: AbortSignal,
): Promise<{ checked: CheckedReceiver; token: string }> {
  let checked: CheckedReceiver;
  try {
    checked = checkReceiverSpec(receiver, deps.options);
  } catch (err) {
    throw new HttpAnswer(503, `receiver is not ready: ${(err as Error).message}`);
  }
  const data = await deps.readSecret(receiver.metadata.namespace ?? "", checked.secretName, signal);
  const token = data?.[RECEIVER_TOKEN_KEY];
  if (token === undefined || token === "")
    throw new HttpAnswer(503, `receiver is not ready: no token in secret ${checked.secretName}`);
  return { checked, token };
}

async function handle(
  deps: ReceiverServerDeps,
  req: IncomingMessage,
  signal: AbortSignal,
): Promise<[number, string]> {
  const path = (req.url ?? "").split("?")[0] ?? "";
  if (!path.startsWith(RECEIVER_WEBHOOK_PREFIX)) throw new HttpAnswer(404, "not found");
  const receiver = receiverAt(deps, path);
  if (req.method !== "POST") throw new HttpAnswer(405, "only POST is accepted");
  const body = await readBody(req);
  assertActive(receiver);
  const log = deps.log.child({
    kind: "Receiver",
    name: receiver.metadata.name,
    namespace: receiver.metadata.namespace,
  });
  const { checked, token } = await credentialsOf(deps, receiver, signal);
  const auth = authenticate({
    type: checked.type,
    token,
    events: receiver.spec.events,
    headers: req.headers,
    body,
  });
  if (!auth.ok) {
    log.info({ status: auth.status }, `webhook refused: ${auth.message}`);
    throw new HttpAnswer(auth.status, auth.message);
  }
  const value = (deps.now ?? ((): Date => new Date()))().toISOString();
  const outcome = await requestReconciles(deps.kubeConfig, checked.targets, value, signal);
  for (const line of outcome.unmatched) log.info(`no object matches ${line}`);
  for (const line of outcome.errors) log.error(line);
  log.info({ event: auth.event, annotated: outcome.annotated }, "webhook handled, reconciliation requested");
  if (outcome.errors.length > 0) throw new HttpAnswer(500, outcome.errors.join("\n"));
  return [200, `reconciliation requested for ${outcome.annotated.length} object(s)`];
}

function respond(res: ServerResponse, status: number, message: string): void {
  const extra = status === 405 ? { allow: "POST" } : {};
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...extra }).end(`${message}\n`);
}

/** Starts the webhook server on `addr` (e.g. `:9292`, `127.0.0.1:0`). */
export function startReceiverServer(addr: string, deps: ReceiverServerDeps): Promise<ListeningServer> {
  const closing = new AbortController();
  const server: Server = createServer((req, res) => {
    handle(deps, req, closing.signal).then(
      ([status, message]) => respond(res, status, message),
      (err: unknown) => {
        if (err instanceof HttpAnswer) return respond(res, err.status, err.message);
        deps.log.error({ error: (err as Error).message }, "webhook failed");
        respond(res, 500, "internal error");
      },
    );
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  return listen(server, addr, () => closing.abort());
}
