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
