/**
 * Detect-only drift (issue 20 item 2): the `mooring.dev/drift` annotation on a managed object
 * (live or in git) or on its Kustomization. `detect` reports drift without correcting it, so an
 * object can be debugged in place without suspending the whole Kustomization; `correct` is the
 * default and lets one object opt back in under a detect-only Kustomization. The most specific
 * setting wins: the live object, then the manifest, then the Kustomization.
 */
import { DRIFT_ANNOTATION, DRIFT_MODE, type DriftMode } from "../api/mooring.js";
import { annotationsOf } from "../util/kube-object.js";
import type { KubeObject } from "./types.js";

/** A `mooring.dev/drift` value that is neither `detect` nor `correct`. */
export class InvalidDriftModeError extends Error {
  override readonly name = "InvalidDriftModeError";

  constructor(where: string, value: string) {
    super(
      `${where} has annotation ${DRIFT_ANNOTATION}: "${value}"; use "${DRIFT_MODE.detect}" ` +
        `(report drift, do not correct it) or "${DRIFT_MODE.correct}" (the default), or remove the annotation`,
    );
  }
}

/** The mode an annotation value asks for; undefined when unset. Throws {@link InvalidDriftModeError}. */
export function parseDriftMode(value: string | undefined, where: string): DriftMode | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === DRIFT_MODE.detect || v === DRIFT_MODE.correct) return v;
  throw new InvalidDriftModeError(where, value);
}

/** The annotation's mode on an object; undefined when unset. Throws {@link InvalidDriftModeError}. */
export function driftModeOf(
  obj: Pick<KubeObject, "metadata"> | undefined,
  where: string,
): DriftMode | undefined {
  return obj === undefined ? undefined : parseDriftMode(annotationsOf(obj)[DRIFT_ANNOTATION], where);
}

/**
 * The mode for one object: the live object's annotation, else the manifest's, else the
 * Kustomization's `fallback`. Throws {@link InvalidDriftModeError} naming the object.
 */
export function objectDriftMode(
  desired: KubeObject,
  live: KubeObject | undefined,
  fallback: DriftMode | undefined,
  subject: string,
): DriftMode {
  return (
    driftModeOf(live, `live ${subject}`) ?? driftModeOf(desired, subject) ?? fallback ?? DRIFT_MODE.correct
  );
}
