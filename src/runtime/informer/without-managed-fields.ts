/**
 * An informer transform for the controllers' own kinds: their caches never read
 * `metadata.managedFields` (every write is a patch by name), and the field-manager bookkeeping of
 * a Kustomization or GitRepository, rewritten at every status update, is often as large as the
 * rest of the object.
 */
import type { MetaObject } from "./types.js";

/** `obj` without `metadata.managedFields` (the same object when it has none). */
export function withoutManagedFields<T extends MetaObject>(obj: T): T {
  const metadata: (MetaObject["metadata"] & { readonly managedFields?: unknown }) | undefined = obj.metadata;
  if (metadata?.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...rest } = metadata;
  return { ...obj, metadata: rest };
}
