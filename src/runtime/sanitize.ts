/**
 * Credential scrubbing for every message that can reach a user (conditions, events, logs).
 *
 * Git URLs and HTTP errors routinely embed `user:token@host`; a controller that copies an error
 * message into a condition would publish the token to anyone who can read the object. This module
 * is the one place that knows how to remove such material.
 */

import { MIN_SECRET_LENGTH, secretValues } from "./secret-values.js";

/** Matches the userinfo part of any `scheme://userinfo@` URL prefix. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"]*@/gi;

/** Text that replaces a known secret value. */
export const REDACTED = "*****";

/**
 * Removes credentials from `message`: the userinfo of every URL (`https://user:pass@host` →
 * `https://host`), every value in the process's secret registry (`secret-values.ts`: substituted
 * Secret data, SOPS-decrypted values) and every occurrence of the given secret values (and their
 * URL-encoded forms).
 */
export function sanitizeMessage(message: string, secrets: Iterable<string> = []): string {
  let out = secretValues.scrub(message.replace(URL_USERINFO, "$1"), REDACTED);
  const values = [...secrets]
    .flatMap((s) => [s, encodeURIComponent(s)])
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  for (const value of new Set(values)) {
    out = out.split(value).join(REDACTED);
  }
  return out;
}

/** Strips the userinfo from one URL string; returns the input unchanged when it is not a URL. */
export function stripUrlCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === "" && parsed.password === "") return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return sanitizeMessage(url);
  }
}
