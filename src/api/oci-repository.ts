/**
 * `source.toolkit.fluxcd.io/v1` OCIRepository: spec and status as JSON, as Flux's API defines
 * them, and the defaults Flux applies in code rather than in the CRD. Only types, constants and
 * pure helpers live here.
 */
import { parseDuration } from "../util/duration.js";
import type {
  Artifact,
  Condition,
  FluxObject,
  LocalObjectReference,
  ReconcileRequestStatus,
} from "./meta.js";

/** Scheme every `spec.url` starts with. */
export const OCI_URL_PREFIX = "oci://";
/** Tag pulled when `spec.ref` selects nothing. */
export const OCI_DEFAULT_TAG = "latest";
/** Default of `spec.timeout` (also in the CRD schema). */
export const OCI_REPOSITORY_DEFAULT_TIMEOUT = "60s";

/** Values of `spec.layerSelector.operation`; empty means `extract`. */
export const OCILayerOperation = {
  Extract: "extract",
  Copy: "copy",
} as const;
/** One of {@link OCILayerOperation}. */
export type OCILayerOperation = (typeof OCILayerOperation)[keyof typeof OCILayerOperation];

/** `spec.ref`. Precedence when several are set: digest > semver > tag > `latest`. */
export interface OCIRepositoryRef {
  /** `sha256:<hex>` of a manifest. */
  digest?: string;
  /** A semver range; the highest matching tag is pulled. */
  semver?: string;
  /** A regular expression tags must match before the range applies. */
  semverFilter?: string;
  tag?: string;
}

/** `spec.layerSelector`. */
export interface OCILayerSelector {
  /** The first layer of this media type is selected; the first layer when empty. */
  mediaType?: string;
  operation?: OCILayerOperation;
}

/** `spec.verify` (cosign or notation). */
export interface OCIRepositoryVerification {
  provider: "cosign" | "notation";
  secretRef?: LocalObjectReference;
  matchOIDCIdentity?: { issuer: string; subject: string }[];
  trustedRootSecretRef?: LocalObjectReference;
}

/** `spec` of an OCIRepository. */
export type OCIRepositorySpec = {
  /** `oci://<host>/<path>`, without a tag. */
  url: string;
  ref?: OCIRepositoryRef;
  layerSelector?: OCILayerSelector;
  /** `generic` (CRD default), `aws`, `azure` or `gcp`. */
  provider?: string;
  /** A Secret of type `kubernetes.io/dockerconfigjson`. */
  secretRef?: LocalObjectReference;
  verify?: OCIRepositoryVerification;
  /** Its `imagePullSecrets` are used as registry credentials. */
  serviceAccountName?: string;
  /** `ca.crt`, `tls.crt` and `tls.key`. */
  certSecretRef?: LocalObjectReference;
  proxySecretRef?: LocalObjectReference;
  /** Go duration. */
  interval: string;
  timeout?: string;
  ignore?: string;
  /** Plain HTTP (and, without certSecretRef, HTTPS without certificate verification). */
  insecure?: boolean;
  suspend?: boolean;
};

/** `status` of an OCIRepository. */
export type OCIRepositoryStatus = ReconcileRequestStatus & {
  observedGeneration?: number;
  conditions?: Condition[];
  /** Kept by Flux for compatibility: the address of the latest artifact. */
  url?: string;
  artifact?: Artifact;
  observedIgnore?: string;
  observedLayerSelector?: OCILayerSelector;
};

/** An OCIRepository object. */
export type OCIRepository = FluxObject<OCIRepositorySpec, OCIRepositoryStatus>;

/** `spec.interval` in milliseconds. */
export function ociRepositoryInterval(spec: Pick<OCIRepositorySpec, "interval">): number {
  return parseDuration(spec.interval);
}

/** `spec.timeout` in milliseconds, 60 s when unset. */
export function ociRepositoryTimeout(spec: Pick<OCIRepositorySpec, "timeout">): number {
  return parseDuration(spec.timeout ?? OCI_REPOSITORY_DEFAULT_TIMEOUT);
}

/** The layer operation, `extract` when unset. */
export function ociLayerOperation(spec: Pick<OCIRepositorySpec, "layerSelector">): OCILayerOperation {
  return spec.layerSelector?.operation ?? OCILayerOperation.Extract;
}

/** The reference to pull, after Flux's precedence: digest, then semver, then tag, then `latest`. */
export type OCIRefStrategy =
  | { readonly kind: "digest"; readonly digest: string }
  | { readonly kind: "semver"; readonly range: string; readonly filter?: string }
  | { readonly kind: "tag"; readonly tag: string };

/** Applies Flux's precedence to `spec.ref` (empty strings count as unset). */
export function ociRefStrategy(ref: OCIRepositoryRef = {}): OCIRefStrategy {
  if (ref.digest) return { kind: "digest", digest: ref.digest };
  if (ref.semver)
    return ref.semverFilter
      ? { kind: "semver", range: ref.semver, filter: ref.semverFilter }
      : { kind: "semver", range: ref.semver };
  return { kind: "tag", tag: ref.tag || OCI_DEFAULT_TAG };
}
