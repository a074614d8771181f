import { buildSync, type BuildOptions } from "./build.js";
import type { Resource } from "./resource.js";

export type { BuildOptions } from "./build.js";
export { KustomizeError } from "./errors.js";
export { type BuildLimits, formatBytes, UNLIMITED } from "./limits.js";
export { render } from "./output.js";
export { Resource } from "./resource.js";
export { buildSync } from "./build.js";

/**
 * Builds the kustomization at `root` like `kubectl kustomize` and returns its resources in output
 * order (print them with `render`). Async for callers on the event loop; the work is synchronous.
 */
export function build(root: string, options: BuildOptions = {}): Promise<Resource[]> {
  try {
    return Promise.resolve(buildSync(root, options));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
