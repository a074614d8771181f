import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ensureGoBinaries } from "../go-build/go-build.js";

/** The `sops` CLI the decryption tests encrypt with: pinned, built from its Go module. */
export const SOPS_VERSION = "v3.13.3";

const SOPS_MODULE = "github.com/getsops/sops/v3";

/** The sops CLI cannot be built on this machine; the message says why in one line. */
export class SopsUnavailableError extends Error {
  override name = "SopsUnavailableError";
}

/** Options for {@link ensureSopsCli}. */
export interface SopsBuildOptions {
  /** e.g. `~/.cache/mooring/sops` */
  cacheRoot: string;
  log: (line: string) => void;
}

/**
 * Builds the `sops` CLI at {@link SOPS_VERSION} into the cache, once (concurrent callers share
 * one build through the cache lock). Tests use it to produce real ciphertext, so mooring's
 * decryptor is checked against the tool users encrypt with, not against itself.
 */
export async function ensureSopsCli(options: SopsBuildOptions): Promise<string> {
  const paths = await ensureGoBinaries({
    label: "sops",
    log: options.log,
    unavailable: (message) => new SopsUnavailableError(message),
    cacheRoot: options.cacheRoot,
    version: SOPS_VERSION,
    packages: { sops: `${SOPS_MODULE}/cmd/sops` },
    ldflags: "-s -w",
    prepareModule: async (moduleDir) => {
      const goMod = `module mooring.local/sops-cli\n\ngo 1.26.0\n\nrequire ${SOPS_MODULE} ${SOPS_VERSION}\n`;
      await writeFile(join(moduleDir, "go.mod"), goMod);
      // `go build` of a dependency's main package needs its imports resolved in our module.
      await writeFile(join(moduleDir, "tools.go"), `//go:build tools\n\npackage tools\n\nimport _ "${SOPS_MODULE}/cmd/sops"\n`);
    },
  });
  return paths.sops ?? "";
}
