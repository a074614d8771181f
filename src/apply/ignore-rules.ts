/**
 * `spec.ignore` drift rules (flux-compat §4.2): JSON pointers left out of the drift comparison for
 * objects matching an optional target selector, and what to do with those fields when the object
 * is applied anyway: strip them from the payload when another apply manager owns them, or send
 * the live value (adopt) when Flux is their only apply owner.
 */
import type { Selector } from "../api/kustomization-parts.js";
import { groupOf, versionOf } from "../util/kube-object.js";
import { matchesSelector, parseLabelSelector, type Requirement } from "./label-selector.js";
import type { KubeObject } from "./types.js";

/**
 * One `spec.ignore[]` rule. The target's fields are regexes (anchored) and selector strings;
 * empty fields match all.
 */
export interface IgnoreRule {
  paths: readonly string[];
  target?: Selector | undefined;
}

/** An invalid regex or selector in a rule. */
export class IgnoreRuleError extends Error {
  override readonly name = "IgnoreRuleError";
}

type Matcher = (obj: KubeObject) => boolean;

function regexMatcher(field: string, pattern: string | undefined, get: (o: KubeObject) => string): Matcher {
  if (!pattern) return () => true;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new IgnoreRuleError(`invalid ${field} regex: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  return (o) => re.test(get(o));
}

function selectorMatcher(
  field: string,
  text: string | undefined,
  get: (o: KubeObject) => Record<string, string> | undefined,
): Matcher {
  if (!text) return () => true;
  let reqs: Requirement[];
  try {
    reqs = parseLabelSelector(text);
  } catch (e) {
    throw new IgnoreRuleError(`invalid ${field}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  return (o) => matchesSelector(reqs, get(o));
}

function compileSelector(s: Selector): Matcher {
  const checks = [
    regexMatcher("group", s.group, (o) => groupOf(o.apiVersion)),
    regexMatcher("version", s.version, (o) => versionOf(o.apiVersion)),
    regexMatcher("kind", s.kind, (o) => o.kind),
    regexMatcher("name", s.name, (o) => o.metadata.name ?? ""),
    regexMatcher("namespace", s.namespace, (o) => o.metadata.namespace ?? ""),
    selectorMatcher("label selector", s.labelSelector, (o) => o.metadata.labels),
    selectorMatcher("annotation selector", s.annotationSelector, (o) => o.metadata.annotations),
  ];
  return (o) => checks.every((c) => c(o));
}

/** Rules compiled once per reconcile; {@link ignorePathsFor} answers per object. */
export type CompiledIgnoreRules = ReadonlyArray<{
  readonly match: Matcher;
  readonly paths: readonly string[];
}>;

/** Compiles rules; throws {@link IgnoreRuleError} for a bad regex or selector. */
export function compileIgnoreRules(rules: readonly IgnoreRule[]): CompiledIgnoreRules {
  return rules.map((r) => ({ match: r.target ? compileSelector(r.target) : () => true, paths: r.paths }));
}

/** The JSON pointers to ignore for an object (matched on the desired/dry-run object, as Flux does). */
export function ignorePathsFor(rules: CompiledIgnoreRules, obj: KubeObject): string[] {
  return rules.filter((r) => r.match(obj)).flatMap((r) => r.paths);
}
