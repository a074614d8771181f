/**
 * Go `time.Duration` text format, as written in Flux CRDs (`interval: 1m30s`, `timeout: 500ms`).
 *
 * Both controllers read durations from specs and write them back into messages, so parsing and
 * formatting live here once. Values are carried as milliseconds (JS timers' unit); sub-millisecond
 * parts survive as fractions.
 */

const NS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** A malformed duration string; the message matches Go's `time.ParseDuration`. */
export class DurationParseError extends Error {
  override readonly name = "DurationParseError";
}

const quote = (s: string): string => JSON.stringify(s);

interface Segment {
  readonly value: number;
  readonly rest: string;
}

/** Nanoseconds per `unit`; throws with Go's wording for a missing or unknown unit. */
function unitScale(unit: string, orig: string): number {
  if (unit === "") throw new DurationParseError(`time: missing unit in duration ${quote(orig)}`);
  const scale = NS_PER_UNIT[unit];
  if (scale === undefined) {
    throw new DurationParseError(`time: unknown unit ${quote(unit)} in duration ${quote(orig)}`);
  }
  return scale;
}

const SEGMENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/** Reads `<digits>[.<digits>]<unit>` from the front of `s`; throws with Go's wording. */
function readSegment(s: string, orig: string): Segment {
  const [matched = "", whole = "", frac, unit = ""] = SEGMENT.exec(s) ?? [];
  if (whole === "" && !frac) throw new DurationParseError(`time: invalid duration ${quote(orig)}`);
  const scale = unitScale(unit, orig);
  const number = Number(`${whole || "0"}.${frac ?? ""}0`);
  return { value: number * scale, rest: s.slice(matched.length) };
}

/**
 * Parses a Go duration (`1h`, `1m30s`, `500ms`, `-1.5h`, `0`) into milliseconds.
 * Throws {@link DurationParseError} for anything Go would reject (`1`, `1d`, `""`).
 */
export function parseDuration(input: string): number {
  let s = input;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    sign = s.startsWith("-") ? -1 : 1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw new DurationParseError(`time: invalid duration ${quote(input)}`);
  let totalNs = 0;
  while (s !== "") {
    const seg = readSegment(s, input);
    totalNs += seg.value;
    s = seg.rest;
  }
  return (sign * totalNs) / 1e6 + 0; // + 0 turns -0 into 0
}

/** Formats `value` (an integer count of `unitNs` nanoseconds) with a trimmed fraction. */
function fractional(ns: number, unitNs: number, suffix: string): string {
  const whole = Math.floor(ns / unitNs);
  const rem = ns - whole * unitNs;
  if (rem === 0) return `${whole}${suffix}`;
  const digits = String(unitNs).length - 1;
  const frac = String(rem).padStart(digits, "0").replace(/0+$/, "");
  return `${whole}.${frac}${suffix}`;
}

/**
 * Formats milliseconds the way Go's `Duration.String()` does (`1h0m0s`, `1m30s`, `500ms`,
 * `1.5s`, `0s`), which is how Flux writes durations into messages and API objects.
 */
export function formatDuration(ms: number): string {
  const totalNs = Math.round(Math.abs(ms) * 1e6);
  const sign = ms < 0 && totalNs !== 0 ? "-" : "";
  if (totalNs === 0) return "0s";
  if (totalNs < 1e3) return `${sign}${totalNs}ns`;
  if (totalNs < 1e6) return sign + fractional(totalNs, 1e3, "µs");
  if (totalNs < 1e9) return sign + fractional(totalNs, 1e6, "ms");
  const hours = Math.floor(totalNs / 3600e9);
  const minutes = Math.floor((totalNs - hours * 3600e9) / 60e9);
  const secNs = totalNs - hours * 3600e9 - minutes * 60e9;
  const seconds = fractional(secNs, 1e9, "s");
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return sign + seconds;
}
