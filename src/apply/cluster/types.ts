/**
 * The public contract of the cluster-facing apply layer, for the Kustomization reconciler.
 *
 * Everything that talks to the API server for a Kustomization goes through {@link ApplyManager}
 * (see `apply-manager.ts`): staged server-side apply, prune, health wait, and the drift hook. The
 * pure decisions (stages, drift, policy, inventory ids, change-set lines) live in `src/apply/*.ts`;
 * this layer only adds the requests and the caches.
 */
import type { DriftMode } from "../../api/mooring.js";
import type { ChangeSetEntry } from "../changeset.js";
import type { CommonMetadata } from "../normalize.js";
import type { StatusContext } from "../health/result.js";
import type { GroupKind, KubeObject, ObjMetadata } from "../types.js";

/** The Kustomization an apply, prune or health wait acts for. */
export interface OwnerRef {
  readonly name: string;
  readonly namespace: string;
}

/** An object to look at, with its API version (inventory entries decode to this). */
export interface ObjectRef extends ObjMetadata {
  /** Version without group (`v1`), as in inventory entries. */
  readonly version: string;
}

/** Per-call identity: every request of the call impersonates this user when set. */
export interface IdentityOptions {
  /**
   * `system:serviceaccount:<ns>:<name>`; use {@link serviceAccountUser}. Undefined: the
   * controller's own identity.
   */
  readonly impersonate?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link ApplyManager.applyAllStaged}. */
export interface ApplyOptions extends IdentityOptions {
  /** Stamped as owner labels and used as the key of the last-applied record. */
  readonly owner: OwnerRef;
  /** `spec.commonMetadata`, stamped after the owner labels (so it may override them). */
  readonly commonMetadata?: CommonMetadata | undefined;
  /** `spec.force`: recreate objects whose immutable fields changed. */
  readonly force?: boolean | undefined;
  /** JSON pointers to leave out of the drift comparison for an object (`spec.ignore`). */
  readonly ignorePaths?: ((obj: KubeObject) => readonly string[]) | undefined;
  /** Cancels the run between requests. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Dry-run every object even where the no-op cache says nothing changed (the periodic full
   * check, `--verify-noop-every`).
   */
  readonly verify?: boolean | undefined;
  /**
   * The Kustomization's `mooring.dev/drift` mode (`correct` when unset); an object's own
   * annotation overrides it (see drift-mode.ts).
   */
  readonly driftMode?: DriftMode | undefined;
  /** `spec.healthCheckExprs`, to judge which objects were already healthy as applied. */
  readonly customHealth?: StatusContext["custom"] | undefined;
}

/**
 * An object whose live state had drifted from the desired state through someone else's change
 * (issue 20 item 2): corrected by this apply, or left as it is in detect-only mode.
 */
export interface ObjectDrift {
  readonly object: ObjectRef;
  /** Dotted paths of the drifted fields (never their values). */
  readonly fields: readonly string[];
  /** Field managers other than ours owning them (`kubectl-edit`, ...); empty when unknown. */
  readonly managers: readonly string[];
  /** True: this apply reverted it; false: detect-only, reported and left in place. */
  readonly corrected: boolean;
}

/** Counters of one apply run; the no-op benchmark and the tests read them. */
export interface ApplyStats {
  /** Objects decided from the last-applied record and the watch cache: no request at all. */
  readonly cacheHits: number;
  readonly gets: number;
  readonly dryRuns: number;
  readonly applies: number;
  readonly cleanupPatches: number;
  readonly recreated: number;
}

/** What {@link ApplyManager.applyAllStaged} did. */
export interface ApplyResult {
  /** One entry per object in apply order (Flux's change set). */
  readonly entries: readonly ChangeSetEntry[];
  readonly stats: ApplyStats;
  /** Drift corrected or (detect-only) found, in apply order. */
  readonly drift: readonly ObjectDrift[];
  /**
   * Ids of the objects that were kstatus Current as the API server returned them to this run
   * (from the apply, or the read of an unchanged object): a health wait has nothing to wait for.
   */
  readonly currentWhenApplied: ReadonlySet<string>;
}

/** Options of {@link ApplyManager.deleteStale} and finalisation. */
export interface DeleteOptions extends IdentityOptions {
  /** Only objects still labelled as owned by this Kustomization are deleted. */
  readonly owner: OwnerRef;
  readonly signal?: AbortSignal | undefined;
}

/** What a prune did; `failed` objects go back into the inventory. */
export interface DeleteResult {
  /** `deleted` or `skipped` per object, in deletion order (reverse apply order). */
  readonly entries: readonly ChangeSetEntry[];
  /** Objects whose delete failed, with the error text. */
  readonly failed: readonly { readonly object: ObjectRef; readonly error: string }[];
}

/** Options of {@link ApplyManager.waitForHealthy}. */
export interface HealthOptions extends IdentityOptions {
  readonly timeoutMs: number;
  /** Aborting ends the wait with {@link HealthCancelledError} (a newer revision arrived). */
  readonly signal?: AbortSignal | undefined;
  /** Stop at the first Failed object (Flux's default). */
  readonly failFast?: boolean | undefined;
  /** `spec.healthCheckExprs` rules, consulted before the built-in kstatus rules. */
  readonly custom?: StatusContext["custom"];
}

/** Why an owned object changed outside our own applies. */
export type DriftKind = "modified" | "deleted";

/** "An owned object was changed or deleted by someone else": requeue `owner`. */
export interface DriftEvent {
  readonly owner: OwnerRef;
  readonly object: ObjectRef;
  readonly kind: DriftKind;
  /** The manager of the newest managedFields entry, when known (`kubectl-edit`, ...). */
  readonly manager?: string | undefined;
}

/** Receives drift events; must not block (map to a queue key and return). */
export type DriftListener = (event: DriftEvent) => void;

/** Seen by the request observer: one per HTTP request sent to the API server. */
export interface RequestInfo {
  readonly verb: "get" | "list" | "watch" | "create" | "patch" | "apply" | "delete" | "discovery";
  readonly path: string;
  readonly dryRun: boolean;
  readonly impersonate?: string | undefined;
}

/** Options of {@link ApplyManager}. */
export interface ApplyManagerOptions {
  /** Field manager of every apply (`kustomize-controller`). */
  readonly fieldManager?: string | undefined;
  /** Parallel dry-runs/applies within a stage (`--concurrent-ssa`, default 4). */
  readonly concurrency?: number | undefined;
  /** `--override-manager`: extra managers whose fields are taken over. */
  readonly overrideManagers?: readonly string[] | undefined;
  /** `--custom-apply-stage-kinds`. */
  readonly customStageKinds?: readonly GroupKind[] | undefined;
  /** How long to wait for CRDs/Namespaces/ClusterRoles and `*Class` objects (default 60 s). */
  readonly stageWaitTimeoutMs?: number | undefined;
  /** Keep last-applied records and the owned-object watch cache to skip dry-runs (default on). */
  readonly noOpCache?: boolean | undefined;
  /** Called once per API request (metrics, tests). */
  readonly onRequest?: ((info: RequestInfo) => void) | undefined;
}

/** `system:serviceaccount:<namespace>:<name>`: the user a ServiceAccount is impersonated as. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}
