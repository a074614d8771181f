import path from "node:path";
import { KustomizeError } from "../errors.js";
import type { GeneratorArgs } from "../kustomization.js";
import type { Loader } from "../loader.js";

/** One key of a generated ConfigMap/Secret; `binary` when the file was not UTF-8 text. */
export interface KeyValue {
  key: string;
  value: string;
  binary?: Buffer;
}

const ENV_NAME_RE = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Strips one pair of matching surrounding quotes, as kustomize does for literals. */
function removeQuotes(s: string): string {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return s;
  return s[0] === '"' || s[0] === "'" ? s.slice(1, -1) : s;
}

function fromLiteral(source: string): KeyValue {
  const eq = source.indexOf("=");
  if (eq <= 0) throw new KustomizeError(`invalid literal source ${source}, expected key=value`);
  return { key: source.slice(0, eq), value: removeQuotes(source.slice(eq + 1)) };
}

/** Parses an env file: `KEY=value` lines, `#` comments and blank lines skipped, values verbatim. */
export function parseEnvFile(text: string, file: string): KeyValue[] {
  const out: KeyValue[] = [];
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  lines.forEach((raw, i) => {
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (i === 0 && line.startsWith("\uFEFF")) line = line.slice(1);
    line = line.replace(/^\s+/u, "");
    if (line === "" || line.startsWith("#")) return;
    const eq = line.indexOf("=");
    const key = eq < 0 ? line : line.slice(0, eq);
    if (!ENV_NAME_RE.test(key)) {
      throw new KustomizeError(`invalid environment variable name '${key}' on line ${i + 1}`, { file });
    }
    out.push({ key, value: eq < 0 ? "" : line.slice(eq + 1) });
  });
  return out;
}

function fromFile(ldr: Loader, source: string): KeyValue {
  const eq = source.indexOf("=");
  const key = eq < 0 ? path.basename(source) : source.slice(0, eq);
  const file = eq < 0 ? source : source.slice(eq + 1);
  if (key === "" || file === "") throw new KustomizeError(`key or file path is missing in '${source}'`);
  if (ldr.isDir(file)) throw new KustomizeError(`'${file}' is a directory, expected a file`);
  const { buffer } = ldr.readBytes(file);
  const text = buffer.toString("utf8");
  if (Buffer.from(text, "utf8").equals(buffer)) return { key, value: text };
  return { key, value: "", binary: buffer };
}

/** Collects a generator's keys from literals, env files and files, in kustomize's order. */
export function collectKeyValues(ldr: Loader, args: GeneratorArgs): KeyValue[] {
  const out: KeyValue[] = [];
  for (const lit of args.literals ?? []) out.push(fromLiteral(String(lit)));
  const envs = [...(args.envs ?? []), ...(args.env ? [args.env] : [])];
  for (const env of envs) {
    const { text, file } = ldr.read(env);
    out.push(...parseEnvFile(text, ldr.display(file)));
  }
  for (const f of args.files ?? []) out.push(fromFile(ldr, String(f)));
  return out;
}
