import { createHash } from "node:crypto";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { ensureGoBinaries, goCommand } from "../../src/dev/go-build/go-build.js";

/**
 * The kustomize library Flux's kustomize-controller v1.9.5 pins (its go.mod replaces both modules
 * with these versions); kustomize/api v0.21.1 requires kyaml v0.21.1.
 */
export const KUSTOMIZE_API_VERSION = "v0.21.1";
export const KUSTOMIZE_KYAML_VERSION = "v0.21.1";

const MAIN_GO = fileURLToPath(new URL("./main.go", import.meta.url));
const MODULE = "mooring.local/krusty-bench";

/** The Go kustomize bench program cannot be built here; the message says why in one line. */
export class KrustyUnavailableError extends Error {
  override name = "KrustyUnavailableError";
}

/**
 * Builds bench/krusty/main.go against the pinned kustomize library into
 * `<mooring cache>/krusty/<version>/bin/krusty-bench`, once. The version carries a hash of
 * main.go so that editing the program rebuilds it instead of running a stale binary.
 */
export async function ensureKrustyBench(log: (line: string) => void): Promise<string> {
  const source = await readFile(MAIN_GO);
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 10);
  const spec = {
    label: "krusty-bench",
    log,
    unavailable: (message: string): Error => new KrustyUnavailableError(message),
  };
  const paths = await ensureGoBinaries({
    ...spec,
    cacheRoot: join(mooringCacheDir(process.env), "krusty"),
    version: `api-${KUSTOMIZE_API_VERSION}-${hash}`,
    packages: { "krusty-bench": MODULE },
    ldflags: "-s -w",
    prepareModule: async (moduleDir) => {
      await writeFile(join(moduleDir, "go.mod"), goMod());
      await copyFile(MAIN_GO, join(moduleDir, "main.go"));
      await goCommand(spec, ["mod", "tidy"], moduleDir, "resolving Go modules");
    },
  });
  return paths["krusty-bench"] ?? "";
}

function goMod(): string {
  return [
    `module ${MODULE}`,
    "",
    "go 1.26.0",
    "",
    "require (",
    `\tsigs.k8s.io/kustomize/api ${KUSTOMIZE_API_VERSION}`,
    `\tsigs.k8s.io/kustomize/kyaml ${KUSTOMIZE_KYAML_VERSION}`,
    ")",
    "",
  ].join("\n");
}
