import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ensureGoBinaries, goCommand } from "../go-build/go-build.js";

/** CNCF distribution's registry the OCIRepository tests run against: pinned, built from its Go module. */
export const REGISTRY_VERSION = "v3.1.2";

const DISTRIBUTION_MODULE = "github.com/distribution/distribution/v3";

/**
 * What this file builds, in the cache path: bumped whenever MAIN_GO changes, so a cache built
 * from an older main is not reused (2: token auth linked in).
 */
const BUILD_REVISION = 2;

/** The registry cannot be built on this machine; the message says why in one line. */
export class RegistryUnavailableError extends Error {
  override name = "RegistryUnavailableError";
}

/** Options for {@link ensureRegistry}. */
export interface RegistryBuildOptions {
  /** e.g. `~/.cache/mooring/oci-registry` */
  cacheRoot: string;
  log: (line: string) => void;
}

/**
 * The registry's own `cmd/registry` main, less the cloud storage drivers (S3, Azure, GCS,
 * CloudFront) and the pull-through proxy the tests never use: they are most of its dependency
 * graph and of its compile time. The server, the filesystem driver, htpasswd and token auth are
 * distribution's code, unchanged.
 */
const MAIN_GO = `package main

import (
	"github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/auth/token"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
)

func main() {
	// RootCmd exits non-zero itself when serving fails.
	_ = registry.RootCmd.Execute()
}
`;

/** `registry-htpasswd USER PASSWORD`: one htpasswd line with a bcrypt hash, as the registry reads it. */
const HTPASSWD_GO = `package main

import (
	"fmt"
	"os"

	"golang.org/x/crypto/bcrypt"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: registry-htpasswd USER PASSWORD")
		os.Exit(2)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(os.Args[2]), bcrypt.DefaultCost)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s:%s\\n", os.Args[1], hash)
}
`;

/** Paths of the built binaries. */
export interface RegistryBinaries {
  readonly registry: string;
  /** Writes htpasswd lines (bcrypt) for the registry's basic auth. */
  readonly htpasswd: string;
}

/** Builds distribution's `registry` at {@link REGISTRY_VERSION} into the cache, once. */
export async function ensureRegistry(options: RegistryBuildOptions): Promise<RegistryBinaries> {
  const unavailable = (message: string): Error => new RegistryUnavailableError(message);
  const spec = { label: "oci-registry", log: options.log, unavailable };
  const paths = await ensureGoBinaries({
    ...spec,
    cacheRoot: options.cacheRoot,
    version: `${REGISTRY_VERSION}-${BUILD_REVISION}`,
    packages: { registry: ".", "registry-htpasswd": "./htpasswd" },
    ldflags: "-s -w",
    prepareModule: async (moduleDir) => {
      await writeFile(
        join(moduleDir, "go.mod"),
        `module mooring.local/oci-registry\n\ngo 1.26.0\n\nrequire ${DISTRIBUTION_MODULE} ${REGISTRY_VERSION}\n`,
      );
      await writeFile(join(moduleDir, "main.go"), MAIN_GO);
      await mkdir(join(moduleDir, "htpasswd"));
      await writeFile(join(moduleDir, "htpasswd", "main.go"), HTPASSWD_GO);
      await goCommand(spec, ["mod", "tidy"], moduleDir, "resolving distribution's modules");
    },
  });
  return { registry: paths.registry ?? "", htpasswd: paths["registry-htpasswd"] ?? "" };
}
