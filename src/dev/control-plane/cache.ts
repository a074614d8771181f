import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where built control-plane binaries are cached, outside the repo:
 * `$MOORING_CACHE_DIR/control-plane`, else `$XDG_CACHE_HOME/mooring/control-plane`, else
 * `~/.cache/mooring/control-plane`. The environment is passed in by the caller.
 */
export function defaultCacheRoot(env: NodeJS.ProcessEnv): string {
  const base = env.MOORING_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mooring");
  return join(base, "control-plane");
}
