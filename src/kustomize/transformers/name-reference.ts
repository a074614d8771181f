import { isMap, isScalar, isSeq, YAMLMap } from "yaml";
import type { Node as YamlNode } from "yaml";
import type { NameRefRule } from "../builtin-namerefs.js";
import { KustomizeError } from "../errors.js";
import { gvkSelected, walkPath, splitPath } from "../fieldspec.js";
import { getIn, newStringScalar, resIdString, scalarText, setIn, type Gvk, type Resource } from "../resource.js";
import { toGoValue } from "../output/go-value.js";
import { isClusterScoped } from "./cluster-scope.js";
import { effectiveNamespace, NOT_A_NAMESPACE } from "./ids.js";

type Sieve = (r: Resource) => boolean;

/**
 * The objects a referrer may refer to, indexed by every name they had: with N objects in one
 * namespace, filtering the whole pool for each reference made a build quadratic.
 */
class Pool {
  private byName: Map<string, Resource[]> | undefined;
  private origNamespaces: Set<string> | undefined;

  constructor(readonly all: Resource[]) {}

  /** Objects that had `name` at some point, in pool order. */
  named(name: string): Resource[] {
    this.byName ??= indexByPreviousNames(this.all);
    return this.byName.get(name) ?? [];
  }

  /** True when some object of the pool was originally in namespace `ns`. */
  hadOrigNamespace(ns: string): boolean {
    this.origNamespaces ??= new Set(this.all.map((r) => effectiveNamespace(r.origId())));
    return this.origNamespaces.has(ns);
  }
}

function indexByPreviousNames(resources: Resource[]): Map<string, Resource[]> {
  const index = new Map<string, Resource[]>();
  for (const r of resources) {
    for (const n of new Set(r.previousIds.map((id) => id.name))) {
      const list = index.get(n);
      if (list) list.push(r);
      else index.set(n, [r]);
    }
  }
  return index;
}

interface RefContext {
  referrer: Resource;
  target: Gvk;
  path: string;
  pool: Pool;
}

const prevIdsSelectedBy = (gvk: Gvk): Sieve => (r) => r.previousIds.some((id) => gvkSelected(id.gvk, gvk));

function roleRefSieve(ctx: RefContext): Sieve {
  if (!ctx.path.endsWith("roleRef/name")) return () => true;
  const roleRef = getIn(ctx.referrer.node, "roleRef");
  if (!isMap(roleRef)) return () => true;
  const group = scalarText(getIn(roleRef, "apiGroup"));
  const kind = scalarText(getIn(roleRef, "kind"));
  if (group === undefined || kind === undefined) return () => true;
  return prevIdsSelectedBy({ group, version: "", kind });
}

function sameNamespaceSieve(referrer: Resource): Sieve {
  const id = referrer.id();
  if (isClusterScoped(id.gvk)) return () => true;
  const ns = effectiveNamespace(id);
  return (r) => isClusterScoped(r.gvk()) || r.kind() === "ServiceAccount" || effectiveNamespace(r.id()) === ns;
}

function sameEnding(a: string[], b: string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0) return long.length === 0;
  const diff = long.length - short.length;
  return short.every((s, i) => long[i + diff] === s);
}

function affixesEqual(r: Resource, o: Resource, allowEmpty: boolean): boolean {
  if (!allowEmpty) return sameEnding(r.prefixes, o.prefixes) && sameEnding(r.suffixes, o.suffixes);
  const pOk = r.prefixes.length === 0 || o.prefixes.length === 0 || sameEnding(r.prefixes, o.prefixes);
  const sOk = r.suffixes.length === 0 || o.suffixes.length === 0 || sameEnding(r.suffixes, o.suffixes);
  return pOk && sOk;
}

/** `named` are the pool's objects that once had the referenced name. */
function selectReferral(ctx: RefContext, named: Resource[], withNs: boolean): Resource | undefined {
  let c = named.filter(prevIdsSelectedBy(ctx.target)).filter(roleRefSieve(ctx)).filter(sameNamespaceSieve(ctx.referrer));
  if (c.length === 1) return c[0];
  c = c.filter((r) => affixesEqual(r, ctx.referrer, true));
  if (c.length > 1) c = c.filter((r) => affixesEqual(r, ctx.referrer, false));
  if (c.length === 1) return c[0];
  if (c.length === 0) return undefined;
  const first = c[0]!;
  if (c.every((r) => r.name() === first.name() && (!withNs || r.namespace() === first.namespace()))) return first;
  const ids = c.map((r) => resIdString(r.id())).join(", ");
  throw new KustomizeError(`found multiple possible referrals: ${ids}`);
}

function setScalar(ctx: RefContext, parent: YAMLMap | YamlNode[], key: string | number, value: YamlNode): void {
  const old = scalarText(value);
  if (old === undefined) return;
  const referral = selectReferral(ctx, ctx.pool.named(old), false);
  if (!referral || referral.name() === old) return;
  if (Array.isArray(parent)) parent[key as number] = newStringScalar(referral.name());
  else setIn(parent, key as string, newStringScalar(referral.name()));
}

/**
 * The candidates of a reference that names a namespace: those originally in it when any object
 * of the pool was, else those in it now.
 */
function mapCandidates(ctx: RefContext, node: YAMLMap, named: Resource[]): Resource[] {
  const ns = scalarText(getIn(node, "namespace"));
  if (ns === undefined) return named;
  if (ns !== NOT_A_NAMESPACE && ctx.pool.hadOrigNamespace(ns)) {
    return named.filter((r) => effectiveNamespace(r.origId()) === ns);
  }
  return named.filter((r) => effectiveNamespace(r.id()) === ns);
}

function setMapping(ctx: RefContext, node: YAMLMap): void {
  const nameNode = getIn(node, "name");
  if (nameNode === undefined) throw new KustomizeError(`path config error; no 'name' field in node`);
  const old = scalarText(nameNode) ?? "";
  const referral = selectReferral(ctx, mapCandidates(ctx, node, ctx.pool.named(old)), true);
  if (!referral) return;
  if (referral.name() === old && referral.namespace() === "") return;
  setIn(node, "name", newStringScalar(referral.name()));
  if (referral.namespace() !== "") setIn(node, "namespace", newStringScalar(referral.namespace()));
}

function visit(ctx: RefContext, parent: YAMLMap, key: string, value: YamlNode | undefined): void {
  if (value === undefined || value === null) return;
  if (isScalar(value)) {
    if (value.value === null) return;
    setScalar(ctx, parent, key, value);
  } else if (isMap(value)) setMapping(ctx, value);
  else if (isSeq(value)) {
    const items = value.items as YamlNode[];
    items.forEach((item, i) => {
      if (isScalar(item)) setScalar(ctx, items, i, item);
      else if (isMap(item)) setMapping(ctx, item);
    });
  }
}

/** Namespaces of the ServiceAccount subjects of a RoleBinding (they widen what it may refer to). */
function roleBindingNamespaces(referrer: Resource): Set<string> {
  const out = new Set<string>();
  const subjects = referrer.kind() === "RoleBinding" ? getIn(referrer.node, "subjects") : undefined;
  if (!isSeq(subjects)) return out;
  for (const s of subjects.items) {
    if (!isMap(s) || scalarText(getIn(s, "kind")) !== "ServiceAccount") continue;
    const node = getIn(s, "namespace");
    if (node === undefined) continue;
    if (!isScalar(node) || toGoValue(node) === null) {
      throw new KustomizeError(`Invalid Input: namespace is blank for resource ${resIdString(referrer.id())}`);
    }
    out.add(scalarText(node) ?? "");
  }
  return out;
}

/** What decides {@link couldBeReferenced}'s answer for `referrer`. */
function poolKey(referrer: Resource): string {
  const id = referrer.id();
  if (isClusterScoped(id.gvk)) return "*";
  return JSON.stringify([effectiveNamespace(id), ...[...roleBindingNamespaces(referrer)].sort()]);
}

/** Objects `referrer` may refer to: cluster-scoped ones, its namespace, and RoleBinding SA namespaces. */
function couldBeReferenced(all: Resource[], referrer: Resource): Resource[] {
  const id = referrer.id();
  if (isClusterScoped(id.gvk)) return all;
  const ns = effectiveNamespace(id);
  const extra = roleBindingNamespaces(referrer);
  return all.filter((r) => isClusterScoped(r.gvk()) || effectiveNamespace(r.id()) === ns || extra.has(r.namespace()));
}

/**
 * Fixes references by name after renaming (prefix, suffix, hash, namespace): each referrer field
 * listed in the rules is pointed at the referred object's current name, choosing among candidates
 * the way kustomize does (previous names, type, namespace, then matching prefixes/suffixes).
 */
export function fixNameReferences(resources: Resource[], rules: readonly NameRefRule[]): void {
  const pools = new Map<Resource, Pool>();
  // Referrers that may see the same objects share one pool (and its index).
  const shared = new Map<string, Pool>();
  const poolOf = (r: Resource): Pool => {
    let pool = pools.get(r);
    if (!pool) {
      const key = poolKey(r);
      pool = shared.get(key);
      if (!pool) {
        pool = new Pool(couldBeReferenced(resources, r));
        shared.set(key, pool);
      }
      pools.set(r, pool);
    }
    return pool;
  };
  // Original types are computed once: the rules are many and the resources may be too.
  const origGvks = resources.map((r) => [r, r.origId().gvk] as const);
  for (const rule of rules) {
    const target: Gvk = { group: rule.group ?? "", version: rule.version ?? "", kind: rule.kind };
    for (const spec of rule.referrers) {
      const segments = splitPath(spec.path);
      const referrers = origGvks.filter(([, gvk]) => gvkSelected(gvk, spec)).map(([r]) => r);
      for (const r of referrers) {
        const ctx: RefContext = { referrer: r, target, path: spec.path, pool: poolOf(r) };
        walkPath(r.node, segments, false, (parent, key, value) => visit(ctx, parent, key, value));
      }
    }
  }
}
