/**
 * `notification.toolkit.fluxcd.io/v1` Receiver (issue 20, item 3): an incoming webhook that
 * annotates GitRepositories, OCIRepositories and Kustomizations with `reconcile.fluxcd.io/requestedAt`, so a push
 * is applied at once instead of at the next interval. Spec and status as Flux's JSON; only the
 * types, constants and pure helpers live here.
 */
import { createHash } from "node:crypto";
import { parseDuration } from "../util/duration.js";
import { API_VERSION, GIT_REPOSITORY, KUSTOMIZATION, OCI_REPOSITORY } from "./constants.js";
import type { Condition, FluxObject, LocalObjectReference, ReconcileRequestStatus } from "./meta.js";

/** API group of Receiver (Flux's notification-controller). */
export const NOTIFICATION_GROUP = "notification.toolkit.fluxcd.io";

/** Names of the Receiver resource (REST path, kubectl names, list kind). */
export const RECEIVER = {
  group: NOTIFICATION_GROUP,
  version: API_VERSION,
  apiVersion: `${NOTIFICATION_GROUP}/${API_VERSION}`,
  kind: "Receiver",
  listKind: "ReceiverList",
  plural: "receivers",
  singular: "receiver",
  categories: ["all", "fluxcd", "fluxcd-notifications"],
  crdName: `receivers.${NOTIFICATION_GROUP}`,
} as const;

/** Every `spec.type` Flux accepts (the CRD enum), so Flux manifests install unchanged. */
export const FLUX_RECEIVER_TYPES = [
  "generic",
  "generic-hmac",
  "generic-oidc",
  "github",
  "gitlab",
  "bitbucket",
  "harbor",
  "dockerhub",
  "quay",
  "gcr",
  "nexus",
  "acr",
  "cdevents",
] as const;

/** The types mooring verifies; any other stalls the Receiver with a message saying so. */
export const SUPPORTED_RECEIVER_TYPES = ["generic", "generic-hmac", "github", "gitlab"] as const;
/** One of {@link SUPPORTED_RECEIVER_TYPES}. */
export type ReceiverType = (typeof SUPPORTED_RECEIVER_TYPES)[number];

/** True for a type mooring verifies. */
export function isSupportedReceiverType(type: string): type is ReceiverType {
  return (SUPPORTED_RECEIVER_TYPES as readonly string[]).includes(type);
}

/**
 * Kinds a Receiver may target in mooring: the kinds it reconciles (and may patch). Flux's enum
 * is wider; the others stall with a message naming the supported ones.
 */
export const RECEIVER_TARGET_KINDS: Readonly<Record<string, { apiVersion: string; plural: string }>> = {
  [GIT_REPOSITORY.kind]: { apiVersion: GIT_REPOSITORY.apiVersion, plural: GIT_REPOSITORY.plural },
  [OCI_REPOSITORY.kind]: { apiVersion: OCI_REPOSITORY.apiVersion, plural: OCI_REPOSITORY.plural },
  [KUSTOMIZATION.kind]: { apiVersion: KUSTOMIZATION.apiVersion, plural: KUSTOMIZATION.plural },
};

/** Flux's `CrossNamespaceObjectReference` plus the per-resource CEL `filter`. */
export interface ReceiverResource {
  apiVersion?: string;
  kind: string;
  /** An object name, or `*` together with `matchLabels`. */
  name: string;
  /** Defaults to the Receiver's namespace. */
  namespace?: string;
  matchLabels?: Record<string, string>;
  /** CEL filter (Flux); not implemented by mooring, which stalls when it is set. */
  filter?: string;
}

/** `spec` of a Receiver. */
export type ReceiverSpec = {
  type: string;
  /** How often the Secret is re-read (Go duration; default 10m). */
  interval?: string;
  /** Event types accepted (`push`, `Push Hook`); empty accepts all. Compared case-insensitively. */
  events?: string[];
  resources: ReceiverResource[];
  /** CEL filter (Flux); not implemented by mooring, which stalls when it is set. */
  resourceFilter?: string;
  /** Secret in the Receiver's namespace whose `token` key is the shared secret. */
  secretRef?: LocalObjectReference;
  /** generic-oidc only in Flux; refused with that type. */
  oidcProviders?: unknown[];
  suspend?: boolean;
};

/** `status` of a Receiver. */
export type ReceiverStatus = ReconcileRequestStatus & {
  conditions?: Condition[];
  /** `/hook/<sha256(token+name+namespace)>`, set while Ready. */
  webhookPath?: string;
  observedGeneration?: number;
};

/** A Receiver object. */
export type Receiver = FluxObject<ReceiverSpec, ReceiverStatus>;

/** Prefix of every webhook path; the server routes only below it. */
export const RECEIVER_WEBHOOK_PREFIX = "/hook/";

/** The key of the Secret that holds the shared token. */
export const RECEIVER_TOKEN_KEY = "token";

/** Flux's default `spec.interval`. */
export const RECEIVER_DEFAULT_INTERVAL = "10m";

/** `spec.interval` in ms. */
export function receiverInterval(spec: ReceiverSpec): number {
  return parseDuration(spec.interval ?? RECEIVER_DEFAULT_INTERVAL);
}

/**
 * Flux's webhook path: `/hook/` + hex sha256 of token, name and namespace concatenated. The same
 * path as Flux's, so a webhook configured against notification-controller keeps working.
 */
export function receiverWebhookPath(token: string, name: string, namespace: string): string {
  return (
    RECEIVER_WEBHOOK_PREFIX +
    createHash("sha256")
      .update(token + name + namespace)
      .digest("hex")
  );
}

/** Reasons of Receiver conditions (Flux's where Flux has one). */
export const ReceiverReason = {
  /** Ready=False: the Secret or its `token` key is missing (Flux's reason). */
  TokenNotFound: "TokenNotFound",
  /** Stalled: the spec names a type, kind or field mooring does not implement. */
  UnsupportedField: "UnsupportedField",
  /** Stalled: the spec is invalid (Flux's `ValidationFailed`). */
  ValidationFailed: "ValidationFailed",
  /** Stalled: a resource in another namespace with `--no-cross-namespace-refs`. */
  AccessDenied: "AccessDenied",
} as const;
