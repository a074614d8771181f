/**
 * What one object's drift was (issue 20 item 2): the fields that differ between the live object
 * and the dry-run of the apply (the comparison `mooring diff` prints) and the field managers that
 * changed them. A correction is told apart from an ordinary update by who owns the changed fields:
 * a field another manager owns was changed by them; failing that, an object whose desired state
 * is the same as at our last apply can only differ because someone else changed it.
 */
import { objectChanges } from "../field-changes.js";
import { attributeDrift } from "../field-owners.js";
import type { KubeObject } from "../types.js";
import { refOf } from "./object-client.js";
import type { ObjectDrift } from "./types.js";

/** What a drift decision looks at for one object. */
export interface DriftInput {
  readonly desired: KubeObject;
  /** The live object as read, before any managedFields takeover. */
  readonly live: KubeObject;
  /** The server-side dry-run of the apply. */
  readonly dryRun: KubeObject;
  readonly ignorePaths: readonly string[];
  /** Our field manager (`kustomize-controller`): never the culprit. */
  readonly fieldManager: string;
}

/**
 * The drift an apply is about to correct, or undefined when the change is not drift (a new
 * revision changed fields only we own). `unchangedSinceLastApply`: the rendered object is the
 * one we applied last (from the owned-object records).
 */
export function correctionOf(input: DriftInput, unchangedSinceLastApply: boolean): ObjectDrift | undefined {
  const changes = objectChanges(input.live, input.dryRun, input.ignorePaths);
  const { owned, managers } = attributeDrift(input.live, changes, input.fieldManager);
  const fields = owned.length > 0 ? owned : unchangedSinceLastApply ? changes : [];
  if (fields.length === 0) return undefined;
  return { object: refOf(input.desired), fields: fields.map((c) => c.path), managers, corrected: true };
}

/** The drift detect-only mode leaves in place: every differing field, with the managers owning any. */
export function detectionOf(input: DriftInput): ObjectDrift {
  const changes = objectChanges(input.live, input.dryRun, input.ignorePaths);
  const { managers } = attributeDrift(input.live, changes, input.fieldManager);
  return { object: refOf(input.desired), fields: changes.map((c) => c.path), managers, corrected: false };
}
