/**
 * Namespaced objects of one kind in an integration test: the reference `waitForObject` and
 * `readObject` take, and apply with the test's shard label (so only the test's own controller
 * reconciles them) and the file's default spec fields.
 */
import { stringify } from "yaml";
import { kubectlOk } from "./kube.js";

/** apiVersion and kind of what the helpers write. */
export interface KindNames {
  readonly apiVersion: string;
  readonly kind: string;
}

/** A reference to one object of the kind in the test's namespace. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Helpers over the objects of one kind of a test file. */
export interface NamespacedObjects {
  readonly ref: (name: string) => ObjectRef;
  /** `kubectl apply` of `name` with `defaults`, then `spec`, as its spec. */
  readonly apply: (name: string, spec: Record<string, unknown>) => Promise<void>;
}

export function namespacedObjects(
  kind: KindNames,
  ns: () => string,
  labels: Readonly<Record<string, string>>,
  defaults: Readonly<Record<string, unknown>> = {},
): NamespacedObjects {
  return {
    ref: (name) => ({ apiVersion: kind.apiVersion, kind: kind.kind, namespace: ns(), name }),
    apply: async (name, spec) => {
      const metadata = { name, namespace: ns(), labels };
      const obj = { apiVersion: kind.apiVersion, kind: kind.kind, metadata, spec: { ...defaults, ...spec } };
      await kubectlOk(["apply", "-f", "-"], stringify(obj));
    },
  };
}
