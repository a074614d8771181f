import type { Gvk, Resource, ResId } from "../resource.js";
import { apiVersionOf } from "../resource.js";
import { parseLabelSelector, type LabelSelector } from "./label-selector.js";

/**
 * A patch or replacement target as written in a kustomization (`target:` / `select:`): every
 * field is optional; group, version, kind, name and namespace are regular expressions matched
 * against the whole value; labelSelector and annotationSelector use Kubernetes selector syntax.
 */
export interface TargetSelector {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly annotationSelector?: string;
}

/** Tells which kinds live outside namespaces (PatchSchema.isClusterScoped fits). */
export type ClusterScopeTest = (apiVersion: string, kind: string) => boolean;

/** A selector with its regular expressions and label selectors compiled once. */
export interface CompiledSelector {
  readonly selector: TargetSelector;
  matches(resource: Resource, isClusterScoped: ClusterScopeTest): boolean;
}

const NOT_A_NAMESPACE = "_non_namespaceable_";

function anchored(pattern: string | undefined, field: string): RegExp | undefined {
  if (pattern === undefined || pattern === "") return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw new Error(`invalid ${field} regular expression "${pattern}" in target selector: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Compiles a selector the way kustomize's SelectorRegex does. It exists so that regexes and
 * label selectors are compiled once per patch, not once per resource. Throws on a bad regex or
 * label selector.
 */
export function compileSelector(selector: TargetSelector): CompiledSelector {
  const group = anchored(selector.group, "group");
  const version = anchored(selector.version, "version");
  const kind = anchored(selector.kind, "kind");
  const name = anchored(selector.name, "name");
  const namespace = anchored(selector.namespace, "namespace");
  const labels: LabelSelector | undefined = selector.labelSelector ? parseLabelSelector(selector.labelSelector) : undefined;
  const annotations = selector.annotationSelector ? parseLabelSelector(selector.annotationSelector) : undefined;
  const idMatches = (resource: Resource, scope: ClusterScopeTest): boolean => {
    const cur = resource.id();
    const org = resource.origId();
    // Like kustomize, the original id is tried first, then the current one.
    const nsOk = (id: ResId): boolean => !namespace || namespace.test(effectiveNamespace(id, scope));
    if (!nsOk(org) && !nsOk(cur)) return false;
    if (name && !name.test(org.name) && !name.test(cur.name)) return false;
    return gvkMatches(cur.gvk, group, version, kind);
  };
  return {
    selector,
    matches(resource, isClusterScoped): boolean {
      if (!idMatches(resource, isClusterScoped)) return false;
      if (labels && !labels.matches(resource.labels())) return false;
      return !annotations || annotations.matches(resource.annotations());
    },
  };
}

function gvkMatches(gvk: Gvk, group?: RegExp, version?: RegExp, kind?: RegExp): boolean {
  if (group && !group.test(gvk.group)) return false;
  if (version && !version.test(gvk.version)) return false;
  return !kind || kind.test(gvk.kind);
}

/** kyaml's EffectiveNamespace: cluster-scoped kinds have none, an empty namespace means "default". */
export function effectiveNamespace(id: ResId, isClusterScoped: ClusterScopeTest): string {
  if (isClusterScoped(apiVersionOf(id.gvk), id.gvk.kind)) return NOT_A_NAMESPACE;
  return id.namespace === "" ? "default" : id.namespace;
}

/**
 * The resources a selector picks, in build order. It exists as the one implementation of target
 * selection shared by patches, replacements and the image/replica transformers' callers.
 */
export function selectTargets(
  resources: readonly Resource[],
  selector: TargetSelector | CompiledSelector,
  isClusterScoped: ClusterScopeTest,
): Resource[] {
  const compiled = "matches" in selector ? selector : compileSelector(selector);
  return resources.filter((r) => compiled.matches(r, isClusterScoped));
}
