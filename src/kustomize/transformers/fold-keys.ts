/**
 * The expected field names of a kustomization sub-object: `true` for a leaf, a nested shape for
 * an object, a one-element array for a list of objects.
 */
export interface Shape {
  readonly [field: string]: true | Shape | readonly [Shape];
}

/**
 * Renames fields to their canonical spelling when they match case-insensitively, recursively,
 * as Go's JSON decoding (and so kustomize) accepts `fieldpath` for `fieldPath`. Unknown fields
 * are kept as they are. It exists so transformer inputs can be read with their documented names.
 */
export function foldKeys<T>(value: unknown, shape: Shape): T {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value as T;
  const byLower = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const canonical = Object.hasOwn(shape, key) ? key : (byLower.get(key.toLowerCase()) ?? key);
    out[canonical] = foldChild(child, shape[canonical]);
  }
  return out as T;
}

function foldChild(child: unknown, sub: true | Shape | readonly [Shape] | undefined): unknown {
  if (sub === undefined || sub === true) return child;
  if (Array.isArray(sub)) return Array.isArray(child) ? child.map((c) => foldKeys(c, (sub as readonly [Shape])[0])) : child;
  return foldKeys(child, sub as Shape);
}

const SELECTOR: Shape = {
  group: true,
  version: true,
  kind: true,
  name: true,
  namespace: true,
  labelSelector: true,
  annotationSelector: true,
};
const OPTIONS: Shape = { delimiter: true, index: true, create: true, encoding: true };

/** `replacements:` entries. */
export const REPLACEMENT_SHAPE: Shape = {
  path: true,
  source: { ...SELECTOR, fieldPath: true, options: OPTIONS },
  targets: [{ select: SELECTOR, reject: [SELECTOR], fieldPaths: true, options: OPTIONS }],
};

/** `patches:` entries. */
export const PATCH_SHAPE: Shape = {
  path: true,
  patch: true,
  target: SELECTOR,
  options: { allowNameChange: true, allowKindChange: true },
};

/** `images:` entries. */
export const IMAGE_SHAPE: Shape = { name: true, newName: true, newTag: true, digest: true, tagSuffix: true };

/** `replicas:` entries. */
export const REPLICA_SHAPE: Shape = { name: true, count: true };
