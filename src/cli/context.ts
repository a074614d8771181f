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

export { CliError } from "./errors.js";
