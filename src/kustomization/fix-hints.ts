/**
 * Errors that say how to fix them (issue 20, item 4). For the failures users meet most (a CRD or a
 * namespace that is not there yet, RBAC under impersonation, a dependency not ready, a
 * substitution variable not set) the message keeps the clause Flux writes, so existing alerts
 * still match, and appends `; fix: …`. Where the cluster knows the answer, the fix names it: the
 * Kustomization whose `status.inventory` holds the missing CRD or Namespace, read from the
 * controller's Kustomization cache through {@link InventoryHolders} (an index of that cache), or
 * the dependency's own Ready condition. (The immutable-field hint is the apply layer's
 * `forceHint`: only it knows the object exists and force does not apply.)
 *
 * Every hint is a pure function of the failure text and what is known, tested on its own.
 */
import type { Kustomization } from "../api/index.js";
import { parseObjectId } from "../apply/inventory.js";
import { getCondition } from "../runtime/conditions.js";
import { formatDuration } from "../util/duration.js";

/** Kustomizations (`namespace/name`) whose inventory holds an object, by a key of {@link inventoryHolderKeys}. */
export interface InventoryHolders {
  holders(key: string): readonly string[];
}

/** Knows nothing: hints then say what to do without naming a Kustomization. */
export const NO_HOLDERS: InventoryHolders = { holders: () => [] };

const CRD_GROUP = "apiextensions.k8s.io";
const crdKey = (name: string): string => `crd:${name}`;
const crdGroupKey = (group: string): string => `crd-group:${group}`;
const namespaceKey = (name: string): string => `namespace:${name}`;

/**
 * The index keys of a Kustomization's inventory that hints look up: each CustomResourceDefinition
 * (by name and by group) and each Namespace. The controller indexes its cache with this.
 */
export function inventoryHolderKeys(ks: Kustomization): string[] {
  return (ks.status?.inventory?.entries ?? []).flatMap((entry) => holderKeysOf(entry.id));
}

/** The keys of one inventory id (none for other kinds or an id that does not parse). */
function holderKeysOf(id: string): string[] {
  let m;
  try {
    m = parseObjectId(id);
  } catch {
    return [];
  }
  if (m.kind === "Namespace" && m.group === "") return [namespaceKey(m.name)];
  if (m.kind !== "CustomResourceDefinition" || m.group !== CRD_GROUP) return [];
  const dot = m.name.indexOf(".");
  return dot > 0 ? [crdKey(m.name), crdGroupKey(m.name.slice(dot + 1))] : [crdKey(m.name)];
}

/** What a hint may use besides the failure text. */
export interface HintContext {
  readonly holders: InventoryHolders;
  /** `namespace/name` of the failing Kustomization (never named as its own fix). */
  readonly self: string;
}

const others = (ctx: HintContext, key: string): string[] =>
  [...ctx.holders.holders(key)].filter((k) => k !== ctx.self).sort();

const kustomizations = (keys: readonly string[]): string =>
  `Kustomization${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`;

/** Kubernetes' guess of a resource from its kind (`UnsafeGuessKindToResource`). */
export function guessPlural(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith("s")) return `${k}es`;
  if (k.endsWith("y")) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

const NO_MATCH = /no matches for kind "([^"]+)" in version "([^"]+)"/;

/** `no matches for kind "X" in version "g/v"`: the CRD is not installed (yet). */
export function crdMissingHint(text: string, ctx: HintContext): string | undefined {
  const m = NO_MATCH.exec(text);
  if (m === null) return undefined;
  const [, kind = "", version = ""] = m;
  const slash = version.indexOf("/");
  if (slash < 0) return `${version} has no kind ${kind}: check the apiVersion and kind`;
  const group = version.slice(0, slash);
  const crd = `${guessPlural(kind)}.${group}`;
  const exact = others(ctx, crdKey(crd));
  if (exact.length > 0) {
    return `the CustomResourceDefinition ${crd} is in the inventory of ${kustomizations(exact)}: list it in spec.dependsOn so that this Kustomization waits for it`;
  }
  const sameGroup = others(ctx, crdGroupKey(group));
  if (sameGroup.length > 0) {
    return `${kustomizations(sameGroup)} installs CustomResourceDefinitions of group ${group}: if one of them serves ${kind}, list it in spec.dependsOn so that this Kustomization waits for it`;
  }
  return `install the CustomResourceDefinition that serves ${kind} in ${version} before this Kustomization applies (from a Kustomization listed in spec.dependsOn, or add it to this one's resources), or correct the apiVersion`;
}

const NAMESPACE_NOT_FOUND = /namespaces "([^"]+)" not found/;

/** `namespaces "x" not found`: the namespace is not created (yet). */
export function namespaceMissingHint(text: string, ctx: HintContext): string | undefined {
  const m = NAMESPACE_NOT_FOUND.exec(text);
  if (m === null) return undefined;
  const ns = m[1] ?? "";
  const holders = others(ctx, namespaceKey(ns));
  if (holders.length > 0) {
    return `Namespace ${ns} is in the inventory of ${kustomizations(holders)}: list it in spec.dependsOn so that the namespace exists first`;
  }
  return `create Namespace ${ns} first: add it to this Kustomization's resources or to one listed in spec.dependsOn, or set spec.targetNamespace to a namespace that exists`;
}

const FORBIDDEN =
  /User "system:serviceaccount:([^:"]+):([^"]+)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)")?/;

/** RBAC refused the impersonated ServiceAccount (`spec.serviceAccountName`). */
export function forbiddenHint(text: string): string | undefined {
  const m = FORBIDDEN.exec(text);
  if (m === null) return undefined;
  const [, saNamespace = "", sa = "", verb = "", resource = "", group = "", namespace] = m;
  const where =
    namespace === undefined
      ? "with a ClusterRole and ClusterRoleBinding"
      : `in namespace ${namespace} with a Role and RoleBinding (or a ClusterRole bound there)`;
  return `grant ServiceAccount ${saNamespace}/${sa} "${verb}" on "${resource}" (API group "${group}") ${where}; a Kustomization's ServiceAccount needs get, list, watch, create, patch and delete on what it applies. Or set spec.serviceAccountName to an account that has them`;
}

const UNSET_VARIABLE = /variable not set \(strict mode\): "([^"]+)"/;

/** Strict post-build substitution met `${var}` with no value and no default. */
export function unsetVariableHint(text: string): string | undefined {
  const m = UNSET_VARIABLE.exec(text);
  if (m === null) return undefined;
  const name = m[1] ?? "";
  return `set ${name} in spec.postBuild.substitute or in a ConfigMap or Secret listed in spec.postBuild.substituteFrom, or give it a default in the manifest: \${${name}:=default}`;
}

/** One line of a condition is plenty for another object's message. */
const firstLine = (text: string, max = 200): string => {
  const line = text.split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/**
 * Why dependency `shown` is not ready and what to do, from its own status: the fix is usually on
 * the dependency, and this Kustomization checks again on its own every `requeueMs`.
 */
export function dependencyHint(
  shown: string,
  dep: Kustomization | undefined,
  requeueMs: number,
  readyExprFalse = false,
): string {
  const again = `this Kustomization checks again every ${formatDuration(requeueMs)}`;
  if (dep === undefined) return `create Kustomization ${shown} or correct spec.dependsOn; ${again}`;
  if (readyExprFalse) {
    return `spec.dependsOn[].readyExpr is false for Kustomization ${shown}: change that one, or the expression; ${again}`;
  }
  const ready = getCondition(dep, "Ready");
  if (ready?.status === "False") {
    const why = ready.message === "" ? ready.reason : `${ready.reason}: ${firstLine(ready.message)}`;
    return `Kustomization ${shown} is Ready=False (${why}): fix that one first; ${again}`;
  }
  if (ready?.status === "True") {
    return `Kustomization ${shown} is Ready but has not applied this source revision yet; ${again}`;
  }
  return `Kustomization ${shown} is still reconciling; ${again}`;
}

/** Appends the first hint that applies to a failure message (the message itself is kept as is). */
export function withFixHint(text: string, ctx: HintContext): string {
  const hint =
    crdMissingHint(text, ctx) ??
    namespaceMissingHint(text, ctx) ??
    forbiddenHint(text) ??
    unsetVariableHint(text);
  return hint === undefined ? text : `${text}; fix: ${hint}`;
}
