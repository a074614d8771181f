/**
 * The minimal shape of a Kubernetes object as plain JSON, plus read-only accessors.
 *
 * The renderer, substitution and the apply layer all pass rendered objects around as plain
 * JavaScript values (what `JSON.parse` or a YAML parser gives); this type names that shape
 * without tying those modules to a client library's classes.
 */

/** Object metadata fields the controllers read; everything else passes through untouched. */
export interface KubeMetadata {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  resourceVersion?: string;
  uid?: string;
  deletionTimestamp?: string;
  creationTimestamp?: string | null;
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** One `metadata.managedFields` entry as the API server returns it. */
export interface ManagedFieldsEntry {
  manager?: string;
  /** "Apply" or "Update". */
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** A Kubernetes object as a plain JSON value. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [key: string]: unknown;
}

/** A plain JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

/** True for plain JSON objects; lets callers walk unknown values without casts. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The API group of an `apiVersion` ("" for the core group: `v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

/** The version part of an `apiVersion` (`apps/v1` → `v1`). */
export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
}

/** Labels of an object, never undefined. */
export function labelsOf(obj: { metadata?: KubeMetadata }): Readonly<Record<string, string>> {
  return obj.metadata?.labels ?? {};
}

/** Annotations of an object, never undefined. */
export function annotationsOf(obj: { metadata?: KubeMetadata }): Readonly<Record<string, string>> {
  return obj.metadata?.annotations ?? {};
}

/**
 * `<Kind>/<namespace>/<name>`, or `<Kind>/<name>` for cluster-scoped objects: how Flux names an
 * object in messages, events and change sets.
 */
export function formatObjectRef(ref: { kind: string; namespace?: string | undefined; name: string }): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** {@link formatObjectRef} for a whole object. */
export function formatObject(obj: KubeObject): string {
  return formatObjectRef({
    kind: obj.kind,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name ?? "",
  });
}
