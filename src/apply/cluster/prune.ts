/**
 * Deleting stale objects the way Flux prunes (flux-compat §4.5, §4.6): reverse apply order, one
 * by one, background propagation, only objects still labelled as ours and not excluded by
 * `prune: disabled`, `reconcile: disabled` or `ssa: Ignore`. NotFound counts as deleted; a
 * failed delete is reported so the caller keeps the object in the inventory and retries.
 */
import { shouldPrune } from "../annotations.js";
import { entryFor, type ChangeSetEntry } from "../changeset.js";
import { objectId } from "../inventory.js";
import { sortForPrune } from "../staging.js";
import { errorText, NoMatchError } from "./errors.js";
import type { ObjectClient } from "./object-client.js";
import type { OwnedObjects } from "./owned-objects.js";
import type { DeleteOptions, DeleteResult, ObjectRef } from "./types.js";

async function deleteOne(
  client: ObjectClient,
  ref: ObjectRef,
  options: DeleteOptions,
  owned: OwnedObjects | undefined,
): Promise<ChangeSetEntry> {
  // A kind the server no longer serves (its CRD is gone) has no objects left to delete.
  const live = await client.get(ref, options.signal).catch((err: unknown) => {
    if (err instanceof NoMatchError) return undefined;
    throw err;
  });
  if (live === undefined) return entryFor(ref, ref.version, "deleted");
  if (!shouldPrune(live, options.owner.name, options.owner.namespace)) {
    return entryFor(ref, ref.version, "skipped");
  }
  owned?.forget(options.owner, [objectId(ref)]);
  await client.delete(ref, live.metadata.uid);
  return entryFor(ref, ref.version, "deleted");
}

/** Deletes `objects` (stale inventory entries) for `options.owner`. */
export async function deleteObjects(
  client: ObjectClient,
  objects: readonly ObjectRef[],
  options: DeleteOptions,
  owned: OwnedObjects | undefined,
): Promise<DeleteResult> {
  const entries: ChangeSetEntry[] = [];
  const failed: { object: ObjectRef; error: string }[] = [];
  for (const ref of sortForPrune(objects)) {
    if (options.signal?.aborted === true) {
      failed.push({ object: ref, error: "cancelled" });
      continue;
    }
    try {
      entries.push(await deleteOne(client, ref, options, owned));
    } catch (err) {
      failed.push({
        object: ref,
        error: `${entryFor(ref, ref.version, "unknown").subject}: ${errorText(err)}`,
      });
    }
  }
  return { entries, failed };
}

/** Flux's aggregated prune error text, or undefined when nothing failed. */
export function deleteFailureMessage(result: DeleteResult): string | undefined {
  if (result.failed.length === 0) return undefined;
  return `delete failed, errors: ${result.failed.map((f) => f.error).join("; ")}`;
}
