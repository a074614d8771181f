/** Tiny object builders shared by the apply layer's unit tests. */
import type { KubeObject } from "./types.js";

/** An object; `ref` is `name` (cluster-scoped) or `namespace/name`. */
export function obj(
  apiVersion: string,
  kind: string,
  ref: string,
  extra: Record<string, unknown> = {},
): KubeObject {
  const slash = ref.indexOf("/");
  const metadata =
    slash === -1 ? { name: ref } : { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
  return { apiVersion, kind, metadata, ...extra };
}
