/**
 * The prune guard (issue 20, item 1), mooring's one deliberate default difference from Flux: a
 * revision whose prune would delete every object of a non-empty inventory (an emptied path, a
 * wrong `spec.path`) stops before anything is applied or deleted, as Argo CD's automated sync
 * refuses to prune to zero. `mooring.dev/allow-empty: "true"` on the Kustomization, or the
 * controller flag `--prune-guard=false`, restores Flux's behaviour. `mooring.dev/prune-budget:
 * "30%"` caps the share of the inventory any one revision may delete; being the Kustomization's own
 * explicit choice, it holds whatever the flag and `allow-empty` say.
 *
 * The decision is pure and shared: the reconciler stops on it, `mooring diff` prints it.
 */
import { type Kustomization, PRUNE_GUARD_ANNOTATIONS, Reason } from "../api/index.js";
import {
  diffInventory,
  type InventoryEntry,
  inventoryEntryOf,
  type InventoryObject,
} from "../apply/inventory.js";
import type { KubeObject } from "../apply/types.js";
import { StallingError } from "../runtime/errors.js";
import { formatObjectRef } from "../util/kube-object.js";

/** What a Kustomization's annotations ask of the guard. */
export interface PrunePolicy {
  /** `mooring.dev/allow-empty: "true"`: pruning the whole inventory is intended. */
  readonly allowEmpty: boolean;
  /** `mooring.dev/prune-budget`: the largest share (0–100 %) one revision may delete. */
  readonly budgetPercent: number | undefined;
}

/** The objects a revision's prune would delete, out of how many in the inventory. */
export interface DeletionPlan {
  readonly stale: readonly InventoryObject[];
  readonly inventorySize: number;
}

/** Why the guard stops a revision, or undefined when it lets it through. */
export type GuardVerdict =
  | {
      readonly rule: "empty" | "budget";
      /** What the revision would delete, and why that is refused. */
      readonly summary: string;
      /** What to do if the deletions are intended. */
      readonly remedy: string;
    }
  | undefined;

/** The condition message of a stop: the first clause says what happened, then the remedy. */
export const guardMessage = (v: NonNullable<GuardVerdict>): string =>
  `prune guard: ${v.summary}; nothing was applied or deleted. ${v.remedy}`;

/** Most objects the Warning event lists; the count says how many more there are. */
export const MAX_LISTED_OBJECTS = 50;

const BUDGET = /^(\d{1,3})%$/;

/**
 * Reads the guard annotations. Throws Stalled `InvalidAnnotation` for a value mooring cannot use:
 * a typo must not silently leave the guard on (or off).
 */
export function prunePolicyOf(ks: Kustomization): PrunePolicy {
  const annotations = ks.metadata.annotations ?? {};
  const allow = annotations[PRUNE_GUARD_ANNOTATIONS.allowEmpty];
  const budget = annotations[PRUNE_GUARD_ANNOTATIONS.pruneBudget];
  return { allowEmpty: parseAllowEmpty(allow), budgetPercent: parseBudget(budget) };
}

function invalid(key: string, value: string, expected: string): StallingError {
  return new StallingError(
    Reason.InvalidAnnotation,
    `invalid annotation ${key}: ${JSON.stringify(value)}: ${expected}`,
  );
}

function parseAllowEmpty(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  if (v === "true" || v === "false") return v === "true";
  throw invalid(PRUNE_GUARD_ANNOTATIONS.allowEmpty, value, 'expected "true" or "false"');
}

function parseBudget(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = BUDGET.exec(value.trim());
  const percent = m === null ? NaN : Number(m[1]);
  if (!(percent >= 0 && percent <= 100)) {
    throw invalid(PRUNE_GUARD_ANNOTATIONS.pruneBudget, value, 'expected a percentage from "0%" to "100%"');
  }
  return percent;
}

/** What pruning after applying `objects` would delete from `previous`. */
export function deletionPlan(
  previous: readonly InventoryEntry[],
  objects: readonly KubeObject[],
): DeletionPlan {
  const stale = diffInventory(previous, objects.map(inventoryEntryOf));
  return { stale, inventorySize: new Set(previous.map((e) => e.id)).size };
}

/**
 * The guard's decision on a plan. `guardEnabled` is `--prune-guard` (it governs the empty-render
 * rule only). Integer arithmetic, so "30%" of 10 objects allows exactly 3.
 */
export function pruneGuardVerdict(
  plan: DeletionPlan,
  policy: PrunePolicy,
  guardEnabled: boolean,
): GuardVerdict {
  const n = plan.stale.length;
  const total = plan.inventorySize;
  if (n === 0) return undefined;
  const budget = policy.budgetPercent;
  if (budget !== undefined && n * 100 > budget * total) {
    const share = Math.round((n * 100) / total);
    return {
      rule: "budget",
      summary:
        `this revision would delete ${n} of ${total} objects in the inventory (${share}%), ` +
        `more than ${PRUNE_GUARD_ANNOTATIONS.pruneBudget} allows (${budget}%)`,
      remedy: `If the deletions are intended, raise or remove the ${PRUNE_GUARD_ANNOTATIONS.pruneBudget} annotation`,
    };
  }
  if (n < total || policy.allowEmpty || !guardEnabled) return undefined;
  return {
    rule: "empty",
    summary: `this revision would delete all ${total} objects in the inventory and keep none`,
    remedy:
      `If that is intended, annotate the Kustomization with ${PRUNE_GUARD_ANNOTATIONS.allowEmpty}: "true" ` +
      `(the controller flag --prune-guard=false turns this check off everywhere)`,
  };
}

/** The objects of a plan, one `Kind/namespace/name` per line, at most {@link MAX_LISTED_OBJECTS}. */
export function formatDeletionList(stale: readonly InventoryObject[]): string {
  const lines = stale.slice(0, MAX_LISTED_OBJECTS).map((o) => formatObjectRef(o));
  const more = stale.length - lines.length;
  return more > 0 ? [...lines, `(and ${more} more)`].join("\n") : lines.join("\n");
}

/**
 * The guard's stop, carrying the list for the Warning event: the condition keeps the short
 * message, the event (the failure's `details`) adds the objects that would have been deleted.
 */
class DeletionPlanRefused extends Error {
  override readonly name = "DeletionPlanRefused";
  readonly details: string;

  constructor(message: string, stale: readonly InventoryObject[]) {
    super(message);
    this.details = `${message}\nwould delete ${stale.length} objects:\n${formatDeletionList(stale)}`;
  }
}

/**
 * Before anything is applied: throws Stalled `PruneGuardTriggered` when the guard refuses what
 * this revision's prune would delete. Only Kustomizations with `spec.prune` are guarded.
 */
export function guardPrune(
  ks: Kustomization,
  objects: readonly KubeObject[],
  policy: PrunePolicy,
  guardEnabled: boolean,
): void {
  if (ks.spec.prune !== true) return;
  const plan = deletionPlan(ks.status?.inventory?.entries ?? [], objects);
  const verdict = pruneGuardVerdict(plan, policy, guardEnabled);
  if (verdict === undefined) return;
  const message = guardMessage(verdict);
  const cause = new DeletionPlanRefused(message, plan.stale);
  throw new StallingError(Reason.PruneGuardTriggered, message, { cause });
}
