import { resolve } from "node:path";
import { build, render } from "../../kustomize/index.js";
import type { CliIo } from "../context.js";

/** Options of `mooring build`. */
export interface BuildCommandOptions {
  /** A Kustomization manifest: render as that Kustomization would. */
  kustomization?: string;
  /** ConfigMap/Secret manifests standing in for the cluster's `substituteFrom` objects. */
  substituteFrom?: string[];
}

/**
 * `mooring build <dir>`: prints the rendered stream exactly as `kubectl kustomize <dir>` would,
 * through the engine the controller uses. With `--kustomization ks.yaml`, `<dir>` is the source
 * root and the build is the controller's own (Flux's wrapper, spec.path, patches, images,
 * post-build substitution with `substituteFrom` values read from local manifests). Any failure
 * exits non-zero with the error on stderr and nothing on stdout.
 */
export async function buildCommand(dir: string, options: BuildCommandOptions, io: CliIo): Promise<number> {
  if (!options.kustomization) {
    io.stdout(render(await build(resolve(dir))));
    return 0;
  }
  // The controller's build path (Kubernetes types, Flux's wrapper, substitution) loads only here.
  const { buildAsKustomization } = await import("./build-kustomization.js");
  io.stdout(await buildAsKustomization(dir, options.kustomization, options.substituteFrom ?? []));
  return 0;
}
