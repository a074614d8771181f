import { parse as parseYaml } from "yaml";
import { buildSchemaTable } from "./build-table.js";
import { builtinTable } from "./builtin-table.js";
import {
  ADDITIONAL_PROPERTIES,
  type DefinitionJson,
  type ListFieldJson,
  type SchemaTableJson,
} from "./table-format.js";

/** A position in the schema: an object definition or a list field. */
export type SchemaNode =
  | { readonly kind: "object"; readonly def: DefinitionJson }
  | { readonly kind: "list"; readonly list: ListFieldJson };

/**
 * Answers the questions a strategic merge patch asks of the OpenAPI schema (which definition a
 * kind has, the schema of a field or of list elements, a list's merge keys) from a compact table.
 * It exists so that patches never touch the raw OpenAPI document: lookups are plain property
 * reads, indexed by "apiVersion kind".
 */
export class PatchSchema {
  private static builtinInstance: PatchSchema | undefined;
  private readonly table: SchemaTableJson;
  private readonly clusterScoped: ReadonlySet<string>;

  constructor(table: SchemaTableJson) {
    this.table = table;
    this.clusterScoped = new Set(table.clusterScoped ?? []);
  }

  /**
   * Whether the schema knows the kind as cluster-scoped (Namespace, ClusterRole, CRD, ...). Unknown
   * kinds are not cluster-scoped, as in kyaml's IsCertainlyClusterScoped.
   */
  isClusterScoped(apiVersion: string, kind: string): boolean {
    return this.clusterScoped.has(`${apiVersion} ${kind}`);
  }

  /** The schema of built-in kinds kustomize v5.5 compiles in (generated table). */
  static builtin(): PatchSchema {
    PatchSchema.builtinInstance ??= new PatchSchema(builtinTable);
    return PatchSchema.builtinInstance;
  }

  /**
   * A schema from a custom OpenAPI document (JSON or YAML), as the kustomization `openapi.path`
   * field provides. Like kustomize, it replaces the built-in schema rather than adding to it.
   */
  static fromDocument(text: string, file: string): PatchSchema {
    let doc: unknown;
    try {
      doc = parseYaml(text) as unknown;
    } catch (err) {
      throw new Error(`invalid OpenAPI schema file ${file}: ${(err as Error).message}`, { cause: err });
    }
    return new PatchSchema(buildSchemaTable(doc, file));
  }

  /** Where the table came from. */
  get source(): string {
    return this.table.source;
  }

  /** The schema of a resource type, undefined when the kind is unknown (lists are then replaced). */
  forType(apiVersion: string, kind: string): SchemaNode | undefined {
    return this.object(this.table.gvks[`${apiVersion} ${kind}`]);
  }

  /** The schema of a field of an object (or of a map value, via additionalProperties). */
  field(node: SchemaNode | undefined, name: string): SchemaNode | undefined {
    if (node?.kind !== "object") return undefined;
    const def = node.def;
    const f = Object.hasOwn(def, name) ? def[name] : def[ADDITIONAL_PROPERTIES];
    if (f === undefined) return undefined;
    return typeof f === "string" ? this.object(f) : { kind: "list", list: f };
  }

  /** The schema of a list's elements. */
  elements(node: SchemaNode | undefined): SchemaNode | undefined {
    return node?.kind === "list" ? this.object(node.list.items) : undefined;
  }

  /**
   * The merge keys of a list whose patch strategy includes "merge", or undefined when the list is
   * replaced wholesale. As in kyaml, list-map-keys win over the patch-merge-key, and a merge list
   * without keys (finalizers) merges its scalar values.
   */
  mergeKeys(node: SchemaNode | undefined): readonly string[] | undefined {
    if (node?.kind !== "list") return undefined;
    const { strategy, mapKeys, mergeKey } = node.list;
    if (strategy === undefined || !strategy.split(",").includes("merge")) return undefined;
    if (mapKeys !== undefined) return mapKeys;
    return mergeKey === undefined ? [] : [mergeKey];
  }

  /** Whether a list's patch strategy lists `retainKeys` (informational: kyaml does not apply it). */
  retainsKeys(node: SchemaNode | undefined): boolean {
    return node?.kind === "list" && (node.list.strategy ?? "").split(",").includes("retainKeys");
  }

  private object(name: string | undefined): SchemaNode | undefined {
    if (name === undefined) return undefined;
    const def = this.table.defs[name];
    return def === undefined ? undefined : { kind: "object", def };
  }
}
