import { parse as parseYaml } from "yaml";
import {
  COMMON_ANNOTATION_SPECS,
  COMMON_LABEL_SPECS,
  IMAGE_SPECS,
  NAME_SPECS,
  NAMESPACE_SPECS,
  REPLICA_SPECS,
  TEMPLATE_LABEL_SPECS,
} from "./builtin-fieldspecs.js";
import { NAME_REFERENCE_RULES, type NameRefRule } from "./builtin-namerefs.js";
import { VAR_REFERENCE_SPECS } from "./transformers/var-reference-specs.js";
import { KustomizeError } from "./errors.js";
import { gvkSelected } from "./fieldspec.js";
import type { Gvk } from "./resource.js";
import { DEFAULT_ORDER_FIRST, DEFAULT_ORDER_LAST } from "./sort.js";
import type { FieldSpec } from "./kustomization.js";

/**
 * The field specs transformers use (kustomize's TransformerConfig): built-in defaults plus what
 * `configurations:` files and `crds:` add. Each accumulator carries one; bases merge into parents.
 */
export interface TransformerConfig {
  namePrefix: FieldSpec[];
  nameSuffix: FieldSpec[];
  namespace: FieldSpec[];
  commonLabels: FieldSpec[];
  templateLabels: FieldSpec[];
  labels: FieldSpec[];
  commonAnnotations: FieldSpec[];
  images: FieldSpec[];
  replicas: FieldSpec[];
  varReference: FieldSpec[];
  nameReference: NameRefRule[];
  /** Set while the configuration is exactly the built-in one (merging it again changes nothing). */
  pristine?: boolean;
}

/** The built-in configuration. */
export function defaultTransformerConfig(): TransformerConfig {
  return {
    namePrefix: [...NAME_SPECS],
    nameSuffix: [...NAME_SPECS],
    namespace: [...NAMESPACE_SPECS],
    commonLabels: [...COMMON_LABEL_SPECS],
    templateLabels: [...TEMPLATE_LABEL_SPECS],
    labels: [],
    commonAnnotations: [...COMMON_ANNOTATION_SPECS],
    images: [...IMAGE_SPECS],
    replicas: [...REPLICA_SPECS],
    varReference: VAR_REFERENCE_SPECS.map((s) => ({ ...s })),
    nameReference: NAME_REFERENCE_RULES.map((r) => ({ ...r, referrers: [...r.referrers] })),
  };
}

/** An empty configuration (what a `configurations:` file starts from). */
export function emptyTransformerConfig(): TransformerConfig {
  return {
    namePrefix: [], nameSuffix: [], namespace: [], commonLabels: [], templateLabels: [], labels: [],
    commonAnnotations: [], images: [], replicas: [], varReference: [], nameReference: [],
  };
}

const gvkOfSpec = (s: { group?: string; version?: string; kind?: string }): Gvk => ({
  group: s.group ?? "",
  version: s.version ?? "",
  kind: s.kind ?? "",
});

/**
 * kustomize's FsSlice.MergeOne: a spec is dropped when an existing one with the same path is
 * selected by its type (so a kind-specific spec already present swallows a later generic one).
 */
function mergeSpecs(into: FieldSpec[], more: readonly FieldSpec[]): void {
  for (const x of more) {
    const prev = into.find((s) => s.path === x.path && gvkSelected(gvkOfSpec(s), x));
    if (!prev) {
      into.push({ ...x });
      continue;
    }
    if ((prev.create === true) !== (x.create === true)) throw new KustomizeError(`conflicting fieldspecs for ${x.path}`);
  }
}

function mergeRules(into: NameRefRule[], more: readonly NameRefRule[]): void {
  for (const rule of more) {
    const same = into.find((r) => r.kind === rule.kind && (r.group ?? "") === (rule.group ?? "") && (r.version ?? "") === (rule.version ?? ""));
    if (same) mergeSpecs(same.referrers, rule.referrers);
    else into.push({ ...rule, referrers: rule.referrers.map((s) => ({ ...s })) });
  }
}

const ORDER = new Map<string, number>([
  ...DEFAULT_ORDER_FIRST.map((k, i): [string, number] => [k, -DEFAULT_ORDER_FIRST.length + i]),
  ...DEFAULT_ORDER_LAST.map((k, i): [string, number] => [k, 1 + i]),
]);
const stable = (g: Gvk): string => `${g.group || "~G"}_${g.version || "~V"}_${g.kind || "~K"}`;

/** kyaml's Gvk.IsLessThan as a comparator: kind order first, then group/version/kind text. */
function compareGvk(a: Gvk, b: Gvk): number {
  const d = (ORDER.get(a.kind) ?? 0) - (ORDER.get(b.kind) ?? 0);
  if (d !== 0) return d;
  const sa = stable(a);
  const sb = stable(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** kustomize sorts every list of a transformer configuration by type after each merge. */
function sortConfig(tc: TransformerConfig): void {
  for (const f of SPEC_FIELDS) tc[f].sort((a, b) => compareGvk(gvkOfSpec(a), gvkOfSpec(b)));
  tc.nameReference.sort((a, b) => compareGvk(gvkOfSpec(a), gvkOfSpec(b)));
}

const SPEC_FIELDS = [
  "namePrefix", "nameSuffix", "namespace", "commonLabels", "templateLabels", "labels",
  "commonAnnotations", "images", "replicas", "varReference",
] as const;

/** Merges `more` into `into` (duplicates dropped; `create` wins). */
export function mergeTransformerConfig(into: TransformerConfig, more: TransformerConfig): void {
  // Fast path: most kustomizations only contribute the defaults, and every build merges them
  // once per kustomization; the result is known (and merging it again is a no-op).
  if (more.pristine && (into.pristine || isEmpty(into))) {
    if (!into.pristine) Object.assign(into, pristineDefaults());
    return;
  }
  for (const f of SPEC_FIELDS) mergeSpecs(into[f], more[f]);
  mergeRules(into.nameReference, more.nameReference);
  sortConfig(into);
  into.pristine = false;
}

const isEmpty = (tc: TransformerConfig): boolean =>
  SPEC_FIELDS.every((f) => tc[f].length === 0) && tc.nameReference.length === 0;

function cloneConfig(tc: TransformerConfig): TransformerConfig {
  const out = emptyTransformerConfig();
  for (const f of SPEC_FIELDS) out[f] = tc[f].map((s) => ({ ...s }));
  out.nameReference = tc.nameReference.map((r) => ({ ...r, referrers: r.referrers.map((s) => ({ ...s })) }));
  return out;
}

let pristineCache: TransformerConfig | undefined;

/** The defaults as kustomize holds them after merging them into an empty configuration. */
function pristineDefaults(): TransformerConfig {
  if (!pristineCache) {
    const defaults = defaultTransformerConfig();
    sortConfig(defaults);
    const merged = emptyTransformerConfig();
    mergeTransformerConfig(merged, defaults);
    pristineCache = merged;
  }
  return { ...cloneConfig(pristineCache), pristine: true };
}

/** The configuration a kustomization contributes: the defaults merged with its `configurations`. */
export function ownTransformerConfig(files: readonly TransformerConfig[]): TransformerConfig {
  if (files.length === 0) return pristineDefaults();
  const defaults = defaultTransformerConfig();
  sortConfig(defaults);
  const loaded = emptyTransformerConfig();
  for (const f of files) {
    sortConfig(f);
    mergeTransformerConfig(loaded, f);
  }
  mergeTransformerConfig(defaults, loaded);
  return defaults;
}

const str = (v: unknown): string => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : "");

function gvkOf(o: Record<string, unknown>): { group?: string; version?: string; kind?: string } {
  return {
    ...(str(o["group"]) ? { group: str(o["group"]) } : {}),
    ...(str(o["version"]) ? { version: str(o["version"]) } : {}),
    ...(str(o["kind"]) ? { kind: str(o["kind"]) } : {}),
  };
}

function toSpec(v: unknown, file: string): FieldSpec {
  if (typeof v !== "object" || v === null) throw new KustomizeError("a field spec must be a mapping", { file });
  const o = v as Record<string, unknown>;
  return { path: str(o["path"]), ...gvkOf(o), ...(o["create"] === true ? { create: true } : {}) };
}

/** Parses a `configurations:` file (transformer config in kustomize's format). */
export function parseTransformerConfig(text: string, file: string): TransformerConfig {
  const raw = (parseYaml(text) ?? {}) as Record<string, unknown>;
  const tc = emptyTransformerConfig();
  for (const f of SPEC_FIELDS) {
    const list = raw[f];
    if (Array.isArray(list)) tc[f] = list.map((v) => toSpec(v, file));
  }
  const refs = raw["nameReference"];
  if (Array.isArray(refs)) {
    tc.nameReference = (refs as Array<Record<string, unknown>>).map((r) => ({
      kind: "",
      ...gvkOf(r),
      referrers: Array.isArray(r["fieldSpecs"]) ? (r["fieldSpecs"] as unknown[]).map((v) => toSpec(v, file)) : [],
    }));
  }
  return tc;
}
