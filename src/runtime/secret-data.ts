/**
 * Reads a Secret's `data`, base64-decoded, by key: the one reader every controller uses for the
 * Secrets its specs reference (GitRepository credentials, Receiver tokens). Reads go straight to
 * the API server (no Secret cache), as Flux's controllers read referenced Secrets.
 */
import type { KubeConfig } from "./kubeconfig/index.js";
import { kubeRequest, orUndefined, resourcePath } from "./kube-request.js";
import type { ObjectKey } from "./reconciler.js";

/** The decoded `data` of the Secret at `key`, or undefined when it does not exist. */
export async function readSecretData(
  kc: KubeConfig,
  key: ObjectKey,
  signal?: AbortSignal,
): Promise<Record<string, string> | undefined> {
  const path = resourcePath({ apiVersion: "v1", plural: "secrets", ...key });
  const secret = await orUndefined(
    kubeRequest<{ data?: Record<string, string> }>(kc, path, signal === undefined ? {} : { signal }),
  );
  if (secret === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, "base64").toString("utf8");
  return out;
}
