/**
 * The compact, JSON-serialisable form of the patch-relevant parts of an OpenAPI v2 document.
 * It exists so that the built-in table can be generated once (scripts/gen-openapi-table.ts) and
 * loaded fast at runtime, and so that custom schemas (the kustomization `openapi:` field) are
 * reduced to the same shape.
 */

/** A list field: its element definition and the Kubernetes merge extensions that apply to it. */
export interface ListFieldJson {
  /** Definition name of the elements, when they are objects worth descending into. */
  readonly items?: string;
  /** `x-kubernetes-patch-strategy`, e.g. "merge" or "merge,retainKeys". */
  readonly strategy?: string;
  /** `x-kubernetes-patch-merge-key`. */
  readonly mergeKey?: string;
  /** `x-kubernetes-list-type`: atomic, set or map. */
  readonly listType?: string;
  /** `x-kubernetes-list-map-keys`. */
  readonly mapKeys?: readonly string[];
}

/** A field is either a reference to an object definition (by name) or a list. */
export type FieldJson = string | ListFieldJson;

/** Fields of one definition; the key "*" stands for `additionalProperties`. */
export type DefinitionJson = Readonly<Record<string, FieldJson>>;

/** The whole table: definitions reachable from each group/version/kind. */
export interface SchemaTableJson {
  /** Where the table came from, for the header of generated files and for errors. */
  readonly source: string;
  /** Map from "apiVersion kind" (e.g. "apps/v1 Deployment", "v1 Pod") to a definition name. */
  readonly gvks: Readonly<Record<string, string>>;
  readonly defs: Readonly<Record<string, DefinitionJson>>;
  /** "apiVersion kind" of every kind the document serves only at cluster scope, sorted. */
  readonly clusterScoped?: readonly string[];
}

/** The key under which additionalProperties (map values) are stored in a definition. */
export const ADDITIONAL_PROPERTIES = "*";
