/**
 * The Receiver reconciler (Flux's ReceiverReconciler): check the spec, read the token from the
 * Secret, and publish `status.webhookPath = /hook/<sha256(token+name+namespace)>` with Ready=True
 * "Receiver initialized for path: …". The webhook server only answers for a Ready Receiver, under
 * the path written here. Requeues at `spec.interval` (10m) to pick up a rotated token.
 *
 * Conditions: Ready (True Succeeded; False TokenNotFound while the Secret or its `token` key is
 * missing, retried with backoff), Stalled (UnsupportedField / ValidationFailed / AccessDenied for a
 * spec that cannot work until edited). Status is finished by the runtime's `StatusFinisher`, a
 * suspended Receiver's too.
 */
import { FINALIZER } from "../api/constants.js";
import {
  RECEIVER_TOKEN_KEY,
  ReceiverReason,
  receiverInterval,
  receiverWebhookPath,
  type Receiver,
} from "../api/receiver.js";
import { GenericError, StallingError } from "../runtime/errors.js";
import type { EventRecord } from "../runtime/event-types.js";
import { DEFAULT_JITTER_PERCENT, jitterWith } from "../runtime/jitter.js";
import {
  Results,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
  type Result,
} from "../runtime/reconciler.js";
import { REASON_SUCCEEDED, type ResultOptions } from "../runtime/result.js";
import { markTrue, READY } from "../runtime/conditions.js";
import { StatusFinisher } from "../runtime/finish-status.js";
import type { StatusPatch } from "../runtime/status-patch.js";
import { forgetSecretValues, registerSecretValues } from "../runtime/secret-values.js";
import { checkReceiverSpec, ReceiverSpecError, type SpecOptions } from "./spec.js";

/** What the reconciler reads and writes (the API in production, a fake in unit tests). */
export interface ReceiverClient {
  /** The Receiver (from the informer's cache, read-your-writes); undefined when gone. */
  get(key: ObjectKey): Promise<Receiver | undefined>;
  readSecret(key: ObjectKey, signal: AbortSignal): Promise<Record<string, string> | undefined>;
  /** Sends a status merge patch (see runtime/finish-status.ts). */
  patchStatus(obj: Receiver, patch: StatusPatch): Promise<void>;
  /** Drops Flux's finalizer from a Receiver Flux created, so its deletion is not blocked. */
  setFinalizers(obj: Receiver, finalizers: readonly string[]): Promise<void>;
  emitEvent(obj: Receiver, event: EventRecord): void;
}

/** Reconciler settings. */
export interface ReceiverReconcilerOptions extends SpecOptions {
  readonly jitterPercent?: number;
}

const ownerOf = (key: ObjectKey): string => `Receiver/${key.namespace}/${key.name}`;

/** Reconciles Receivers into webhook paths. */
export class ReceiverReconciler implements Reconciler {
  constructor(
    private readonly client: ReceiverClient,
    private readonly options: ReceiverReconcilerOptions,
  ) {}

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<Result> {
    const obj = await this.client.get(key);
    if (obj === undefined) {
      forgetSecretValues(ownerOf(key));
      return Results.done();
    }
    const finalizers = (obj.metadata.finalizers as string[] | undefined) ?? [];
    if (obj.metadata.deletionTimestamp) {
      forgetSecretValues(ownerOf(key));
      if (finalizers.includes(FINALIZER))
        await this.client.setFinalizers(
          obj,
          finalizers.filter((f) => f !== FINALIZER),
        );
      return Results.done();
    }
    const status = new StatusFinisher(obj, (o: Receiver, patch) => this.client.patchStatus(o, patch));
    if (obj.spec.suspend === true) {
      ctx.log.info("reconciliation is suspended for this object");
      return (await status.finish(obj, "suspended", undefined, this.resultOptions(obj, ctx))).result;
    }
    return this.run(obj, key, status, ctx);
  }

  private resultOptions(obj: Receiver, ctx: ReconcileContext): ResultOptions {
    return {
      intervalMs: receiverInterval(obj.spec),
      jitter: jitterWith(this.options.jitterPercent ?? DEFAULT_JITTER_PERCENT),
      now: ctx.now(),
    };
  }

  private async run(
    obj: Receiver,
    key: ObjectKey,
    status: StatusFinisher<Receiver>,
    ctx: ReconcileContext,
  ): Promise<Result> {
    let next: Receiver;
    let error: unknown;
    try {
      const path = await this.webhookPath(obj, key, ctx);
      const message = `Receiver initialized for path: ${path}`;
      next = markTrue({ ...obj, status: { ...obj.status, webhookPath: path } }, READY, {
        reason: REASON_SUCCEEDED,
        message,
        now: ctx.now(),
      });
    } catch (err) {
      error = err;
      // No path is served while the token is unknown or the spec cannot work.
      const { webhookPath: _dropped, ...rest } = obj.status ?? {};
      next = { ...obj, status: rest };
    }
    const path = next.status?.webhookPath;
    const out = await status.finish(next, "success", error, this.resultOptions(obj, ctx));
    const events = [...out.events];
    if (path !== undefined && path !== obj.status?.webhookPath)
      events.push({
        type: "Normal",
        reason: REASON_SUCCEEDED,
        message: `Receiver initialized for path: ${path}`,
      });
    for (const e of events) this.client.emitEvent(out.obj, e);
    if (out.failure !== undefined) ctx.log.info({ reason: out.failure.reason }, out.failure.message);
    return out.result;
  }

  /** Checks the spec and reads the token; throws the error `computeResult` turns into status. */
  private async webhookPath(obj: Receiver, key: ObjectKey, ctx: ReconcileContext): Promise<string> {
    let secretName: string;
    try {
      secretName = checkReceiverSpec(obj, this.options).secretName;
    } catch (err) {
      if (err instanceof ReceiverSpecError) throw new StallingError(err.reason, err.message, { cause: err });
      throw err;
    }
    const secretKey = { namespace: key.namespace, name: secretName };
    const data = await this.client.readSecret(secretKey, ctx.signal);
    const where = `${key.namespace}/${secretName}`;
    if (data === undefined)
      throw new GenericError(
        ReceiverReason.TokenNotFound,
        `unable to read token from secret '${where}': secret not found`,
      );
    const token = data[RECEIVER_TOKEN_KEY];
    if (token === undefined)
      throw new GenericError(
        ReceiverReason.TokenNotFound,
        `invalid '${where}' secret data: required field '${RECEIVER_TOKEN_KEY}'`,
      );
    if (token === "")
      throw new GenericError(
        ReceiverReason.TokenNotFound,
        `invalid '${where}' secret data: '${RECEIVER_TOKEN_KEY}' is empty; an empty token would make the webhook path guessable`,
      );
    registerSecretValues(ownerOf(key), "token", [token]);
    return receiverWebhookPath(token, key.name, key.namespace);
  }
}
