/**
 * What a Receiver's spec asks for, checked once and turned into the targets to annotate. The
 * reconciler stalls on a {@link ReceiverSpecError} (a spec that cannot work until it is edited);
 * the webhook server resolves targets with the same function, so both read the spec one way.
 */
import {
  isSupportedReceiverType,
  RECEIVER_TARGET_KINDS,
  ReceiverReason,
  SUPPORTED_RECEIVER_TYPES,
  type Receiver,
  type ReceiverResource,
  type ReceiverType,
} from "../api/receiver.js";

/** One `spec.resources[]` entry, resolved: where to find the object(s) and how to patch them. */
export interface ReceiverTarget {
  readonly kind: string;
  readonly apiVersion: string;
  readonly plural: string;
  readonly namespace: string;
  /** An object name; undefined selects by {@link ReceiverTarget.matchLabels} (Flux's `*`). */
  readonly name: string | undefined;
  readonly matchLabels: Readonly<Record<string, string>>;
}

/** A spec that cannot work until it is changed; `reason` is the Stalled reason. */
export class ReceiverSpecError extends Error {
  override readonly name = "ReceiverSpecError";
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Options of {@link checkReceiverSpec}. */
export interface SpecOptions {
  /** `--no-cross-namespace-refs`: resources must be in the Receiver's namespace. */
  readonly noCrossNamespaceRefs: boolean;
}

/** The checked spec. */
export interface CheckedReceiver {
  readonly type: ReceiverType;
  readonly secretName: string;
  readonly targets: readonly ReceiverTarget[];
}

const unsupported = (message: string): ReceiverSpecError =>
  new ReceiverSpecError(ReceiverReason.UnsupportedField, message);

/** Checks the fields mooring does not implement and the type; see the module comment. */
function checkType(receiver: Receiver): ReceiverType {
  const { spec } = receiver;
  if (!isSupportedReceiverType(spec.type))
    throw unsupported(
      `spec.type '${spec.type}' is not implemented by mooring; use one of ${SUPPORTED_RECEIVER_TYPES.join(", ")}, or run Flux's notification-controller for this Receiver`,
    );
  if (spec.resourceFilter)
    throw unsupported(
      "spec.resourceFilter (CEL) is not implemented by mooring; remove it or split the Receiver",
    );
  if (spec.oidcProviders !== undefined && spec.oidcProviders.length > 0)
    throw new ReceiverSpecError(
      ReceiverReason.ValidationFailed,
      "oidcProviders can only be set when type is generic-oidc",
    );
  return spec.type;
}

/** The kind's REST names, refusing kinds and versions mooring does not reconcile. */
function targetKind(res: ReceiverResource, where: string): { apiVersion: string; plural: string } {
  const kind = RECEIVER_TARGET_KINDS[res.kind];
  if (kind === undefined)
    throw unsupported(
      `${where}: kind ${res.kind} is not reconciled by mooring; a Receiver can target ${Object.keys(RECEIVER_TARGET_KINDS).join(", ")}`,
    );
  if (res.apiVersion && res.apiVersion !== kind.apiVersion)
    throw unsupported(
      `${where}: apiVersion ${res.apiVersion} is not served by mooring; use ${kind.apiVersion}`,
    );
  if (res.filter) throw unsupported(`${where}: filter (CEL) is not implemented by mooring; remove it`);
  return kind;
}

/** `name: '*'` selects by matchLabels, which must then be set (Flux fails such a webhook call). */
function selection(res: ReceiverResource, where: string): Pick<ReceiverTarget, "name" | "matchLabels"> {
  if (res.name !== "*") return { name: res.name, matchLabels: {} };
  const matchLabels = res.matchLabels ?? {};
  if (Object.keys(matchLabels).length === 0)
    throw new ReceiverSpecError(
      ReceiverReason.ValidationFailed,
      `${where}: matchLabels field not set when using wildcard '*' as name`,
    );
  return { name: undefined, matchLabels };
}

function resolveTarget(
  res: ReceiverResource,
  i: number,
  namespace: string,
  options: SpecOptions,
): ReceiverTarget {
  const where = `spec.resources[${i}] (kind=${res.kind}, name=${res.name})`;
  const kind = targetKind(res, where);
  const targetNamespace = res.namespace || namespace;
  if (options.noCrossNamespaceRefs && targetNamespace !== namespace)
    throw new ReceiverSpecError(
      ReceiverReason.AccessDenied,
      `${where}: cross-namespace references are not allowed (--no-cross-namespace-refs); use namespace ${namespace}`,
    );
  return { kind: res.kind, ...kind, namespace: targetNamespace, ...selection(res, where) };
}

/** Checks `receiver`'s spec and resolves its targets; throws {@link ReceiverSpecError}. */
export function checkReceiverSpec(receiver: Receiver, options: SpecOptions): CheckedReceiver {
  const type = checkType(receiver);
  const secretName = receiver.spec.secretRef?.name;
  if (secretName === undefined || secretName === "")
    throw new ReceiverSpecError(
      ReceiverReason.ValidationFailed,
      "secretRef is required when type is not generic-oidc",
    );
  const namespace = receiver.metadata.namespace ?? "";
  const targets = (receiver.spec.resources ?? []).map((r, i) => resolveTarget(r, i, namespace, options));
  return { type, secretName, targets };
}
