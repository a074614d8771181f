/**
 * mooring's own names, for what goes beyond Flux (README "Beyond Flux"). Everything mooring adds
 * to an object lives under one prefix, so `kubectl get -o yaml` tells at a glance which keys Flux
 * would ignore, and the Kustomization watch can enqueue on any change under it.
 */

/** The prefix of every mooring annotation and label. */
export const MOORING_PREFIX = "mooring.dev/";

/** Whether an annotation key belongs to mooring. */
export const isMooringKey = (key: string): boolean => key.startsWith(MOORING_PREFIX);

/**
 * Annotations on a Kustomization that steer the prune guard (issue 20, item 1): a revision whose
 * prune would delete every object of a non-empty inventory stops instead, unless allowed.
 */
export const PRUNE_GUARD_ANNOTATIONS = {
  /** `"true"`: this Kustomization may prune its whole inventory (Flux's behaviour). */
  allowEmpty: `${MOORING_PREFIX}allow-empty`,
  /** `"<0-100>%"`: the largest share of the inventory one revision may delete. */
  pruneBudget: `${MOORING_PREFIX}prune-budget`,
} as const;

/**
 * Drift handling of a managed object or of a whole Kustomization: {@link DRIFT_MODE}`.detect`
 * reports drift (condition `Drifted`, event `DriftDetected`) without correcting it;
 * `correct` (the default) re-applies. On an object (live or in git) it overrides the
 * Kustomization's.
 */
export const DRIFT_ANNOTATION = `${MOORING_PREFIX}drift`;

/** Values of {@link DRIFT_ANNOTATION}. */
export const DRIFT_MODE = { correct: "correct", detect: "detect" } as const;
/** One of {@link DRIFT_MODE}. */
export type DriftMode = (typeof DRIFT_MODE)[keyof typeof DRIFT_MODE];

/** Drift corrections kept in `status.mooring.driftCorrections`. */
export const DRIFT_CORRECTIONS_LIMIT = 10;

/** One drift correction of a managed object, as kept in the Kustomization's status. */
export interface DriftCorrection {
  /** RFC 3339 time of the correcting apply. */
  time: string;
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
  /** Dotted paths of the fields that had drifted (values are never recorded). */
  fields: string[];
  /** Field managers other than mooring's own that owned those fields (`kubectl-edit`, ...). */
  managers: string[];
  /** The source revision applied. */
  revision?: string;
}

/** `status.mooring`: mooring's status fields, next to Flux's. */
export interface MooringStatus {
  /** The last {@link DRIFT_CORRECTIONS_LIMIT} drift corrections, newest first. */
  driftCorrections?: DriftCorrection[];
}
