/**
 * `spec.pathPattern` (source-watcher's directory discovery): `@alias/apps/{app}/envs/{env}` is
 * matched against every directory of that source, and each match turns `spec.artifacts` into
 * concrete outputs, `{app}` and `{env}` replaced. Names and labels take the captures lowercased
 * (they must be valid label values); copy paths take them as found, so source paths keep their
 * case. A bad pattern, an invalid captured value or two directories giving one name stall the
 * generator (`BuildFailed`), as in source-watcher.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { ArtifactGenerator, OutputArtifact } from "../api/index.js";
import { Reason } from "../api/index.js";
import { StallingError } from "../runtime/errors.js";

/** One output to build, with the labels its captures give the ExternalArtifact. */
export interface OutputRequest {
  readonly output: OutputArtifact;
  readonly labels: Readonly<Record<string, string>>;
}

const CAPTURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const terminal = (message: string): StallingError =>
  new StallingError(Reason.BuildFailed, `failed to expand path pattern: ${message}`);

/** Replaces `{name}` placeholders; throws a plain Error naming what is wrong. */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([^{}]*)\}|[{}]/g, (whole: string, name: string | undefined) => {
    if (name === undefined) throw new Error(`invalid template "${template}": unbalanced '${whole}'`);
    if (!CAPTURE_NAME.test(name))
      throw new Error(`invalid template "${template}": bad capture variable "${name}"`);
    const value = values[name];
    if (value === undefined) {
      throw new Error(
        `invalid template "${template}": capture variable "${name}" is not defined by pathPattern`,
      );
    }
    return value;
  });
}

/** The pattern as a regex with one group per capture, and the capture names in order. */
function compile(pathPattern: string, pattern: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  let source = "";
  for (const part of pattern.split(/(\{[^{}]*\})/)) {
    const capture = /^\{(.*)\}$/.exec(part);
    if (capture === null) {
      if (/[{}]/.test(part)) throw terminal(`pathPattern "${pathPattern}": unbalanced brace`);
      source += part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      continue;
    }
    const name = capture[1] ?? "";
    if (!CAPTURE_NAME.test(name) || names.includes(name)) {
      throw terminal(`pathPattern "${pathPattern}": invalid or duplicate capture variable "${name}"`);
    }
    names.push(name);
    source += "([^/]+)";
  }
  return { re: new RegExp(`^${source}$`), names };
}

/** Every directory below `root`, `/`-separated, parents before children, in lexical order. */
async function directories(root: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const path = rel === "" ? e.name : `${rel}/${e.name}`;
    out.push(path, ...(await directories(root, path)));
  }
  return out;
}

function render(
  output: OutputArtifact,
  lower: Record<string, string>,
  raw: Record<string, string>,
): OutputArtifact {
  return {
    ...output,
    name: renderTemplate(output.name, lower),
    copy: output.copy.map((op) => ({
      ...op,
      from: renderTemplate(op.from, raw),
      to: renderTemplate(op.to, raw),
    })),
  };
}

/** Captures of one matched directory, as found and lowercased; throws for an invalid label value. */
function captures(
  match: RegExpExecArray,
  names: readonly string[],
  pathPattern: string,
): { raw: Record<string, string>; lower: Record<string, string> } {
  const raw: Record<string, string> = {};
  const lower: Record<string, string> = {};
  names.forEach((name, i) => {
    raw[name] = match[i + 1] ?? "";
    lower[name] = raw[name].toLowerCase();
    if (lower[name].length > 63 || !LABEL_VALUE.test(lower[name])) {
      throw terminal(
        `pathPattern "${pathPattern}": captured value "${lower[name]}" for variable "${name}" is not a valid Kubernetes label value`,
      );
    }
  });
  return { raw, lower };
}

/**
 * The outputs to build: `spec.artifacts` as written without a pathPattern, else one rendering of
 * them per matched directory of the pattern's source (extracted under `sources`).
 */
export async function outputRequests(
  ag: ArtifactGenerator,
  sources: ReadonlyMap<string, string>,
): Promise<OutputRequest[]> {
  const pathPattern = ag.spec.pathPattern ?? "";
  if (pathPattern === "") return ag.spec.artifacts.map((output) => ({ output, labels: {} }));
  const [, alias = "", pattern = ""] = /^@([^/]+)\/(.*)$/.exec(pathPattern) ?? [];
  const root = sources.get(alias);
  if (root === undefined) throw terminal(`pathPattern "${pathPattern}": source alias ${alias} not found`);
  const { re, names } = compile(pathPattern, pattern);
  const seen = new Map<string, string>();
  const out: OutputRequest[] = [];
  for (const dir of await directories(root)) {
    const match = re.exec(dir);
    if (match === null) continue;
    const { raw, lower } = captures(match, names, pathPattern);
    for (const template of ag.spec.artifacts) {
      let output: OutputArtifact;
      try {
        output = render(template, lower, raw);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw terminal(
          `pathPattern "${pathPattern}": failed to render artifact ${template.name} for match ${dir}: ${why}`,
        );
      }
      if (output.name.length > 253 || !DNS_SUBDOMAIN.test(output.name)) {
        throw terminal(
          `pathPattern "${pathPattern}": rendered artifact name "${output.name}" is not a valid Kubernetes object name`,
        );
      }
      const previous = seen.get(output.name);
      if (previous !== undefined) {
        throw terminal(
          `pathPattern "${pathPattern}": directories "${previous}" and "${dir}" both resolve to artifact name "${output.name}"`,
        );
      }
      seen.set(output.name, dir);
      out.push({ output, labels: lower });
    }
  }
  return out;
}
