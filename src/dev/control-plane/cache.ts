import { homedir } from "node:os";
import { join } from "node:path";

/**
 * mooring's cache directory outside the repo, for binaries built from Go modules:
 * `$MOORING_CACHE_DIR`, else `$XDG_CACHE_HOME/mooring`, else `~/.cache/mooring`. The environment
 * is passed in by the caller.
 */
export function mooringCacheDir(env: NodeJS.ProcessEnv): string {
  return env.MOORING_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mooring");
}

/** Where control-plane binaries are cached: `<mooring cache>/control-plane`. */
export function defaultCacheRoot(env: NodeJS.ProcessEnv): string {
  return join(mooringCacheDir(env), "control-plane");
}
