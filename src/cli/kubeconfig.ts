/**
 * The CLI's credentials: chosen and checked by mooring's one kubeconfig loader, as the
 * controller's are, and used by the CLI's requests through the runtime's one request client.
 */
import { defaultKubeConfig, type KubeCredentials, loadKubeConfigFiles } from "../runtime/kubeconfig/index.js";
import type { GlobalOptions } from "./context.js";

/**
 * Loads credentials the way kubectl does for a user on their machine: `--kubeconfig`, else
 * KUBECONFIG, else ~/.kube/config, else in-cluster. `--context` picks a context.
 */
export function loadKubeConfig(
  options: Pick<GlobalOptions, "kubeconfig" | "context">,
  env: NodeJS.ProcessEnv,
): KubeCredentials {
  const opts = options.context ? { context: options.context } : {};
  return options.kubeconfig
    ? loadKubeConfigFiles([options.kubeconfig], env, opts)
    : defaultKubeConfig(env, opts);
}

/** The namespace a command works in: `-n`, else the context's, else `flux-system` as Flux's CLI does. */
export function targetNamespace(kc: KubeCredentials, options: Pick<GlobalOptions, "namespace">): string {
  return options.namespace ?? kc.namespace ?? "flux-system";
}
