import { KubeConfig } from "@kubernetes/client-node";

/** Flags every cluster-facing command shares. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  output?: "table" | "json" | "yaml";
  timeout: number;
}

/** What a command needs from the outside world; main builds it, tests replace it. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (tables get colour, waits get a progress line). */
  tty: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * Loads credentials the way kubectl does for a user on their machine: `--kubeconfig`, else
 * KUBECONFIG, else ~/.kube/config, else in-cluster. `--context` picks a context.
 */
export function loadKubeConfig(
  options: Pick<GlobalOptions, "kubeconfig" | "context">,
  env: NodeJS.ProcessEnv,
): KubeConfig {
  const kc = new KubeConfig();
  const path = options.kubeconfig ?? env.KUBECONFIG;
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  if (options.context) kc.setCurrentContext(options.context);
  return kc;
}

/** The namespace a command works in: `-n`, else the context's, else `flux-system` as Flux's CLI does. */
export function targetNamespace(kc: KubeConfig, options: Pick<GlobalOptions, "namespace">): string {
  return options.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "flux-system";
}

export { CliError } from "./errors.js";
