import { chmod, cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ensureGoBinaries, goCommand } from "../go-build/go-build.js";

/** The flux CLI release the compatibility tests run: pinned, built from its Go module. */
export const FLUX_CLI_VERSION = "v2.9.5";

const FLUX_MODULE = "github.com/fluxcd/flux2/v2";

/** The flux CLI cannot be built on this machine; the message says why in one line. */
export class FluxUnavailableError extends Error {
  override name = "FluxUnavailableError";
}

/** Options for {@link ensureFluxCli}. */
export interface FluxBuildOptions {
  /** e.g. `~/.cache/mooring/flux-cli` */
  cacheRoot: string;
  log: (line: string) => void;
}

/**
 * Builds the `flux` CLI at {@link FLUX_CLI_VERSION} into the cache, once. Its module zip lacks
 * the install manifests `cmd/flux` embeds (they are generated at release time), so the build
 * works on a copy of the module with one placeholder manifest: the commands mooring is tested
 * with never read them (`flux install`/`bootstrap` would).
 */
export async function ensureFluxCli(options: FluxBuildOptions): Promise<string> {
  const unavailable = (message: string): Error => new FluxUnavailableError(message);
  const spec = { label: "flux-cli", log: options.log, unavailable };
  const paths = await ensureGoBinaries({
    ...spec,
    cacheRoot: options.cacheRoot,
    version: FLUX_CLI_VERSION,
    packages: { flux: `${FLUX_MODULE}/cmd/flux` },
    ldflags: `-s -w -X main.VERSION=${FLUX_CLI_VERSION.replace(/^v/, "")}`,
    prepareModule: async (moduleDir) => {
      const out = await goCommand(
        spec,
        ["mod", "download", "-json", `${FLUX_MODULE}@${FLUX_CLI_VERSION}`],
        moduleDir,
        "downloading flux2",
      );
      const downloaded = JSON.parse(out) as { Dir: string; GoMod: string };
      const src = join(moduleDir, "flux2");
      await cp(downloaded.Dir, src, { recursive: true });
      await makeWritable(src);
      await mkdir(join(src, "cmd", "flux", "manifests"), { recursive: true });
      await writeFile(
        join(src, "cmd", "flux", "manifests", "placeholder.yaml"),
        "# not used by mooring's tests\n",
      );
      // A dependency's replace directives do not apply to us: carry flux2's version pins over.
      const pins = [
        ...(await readFile(downloaded.GoMod, "utf8")).matchAll(/^replace\s+(\S+\s+=>\s+\S+\s+v\S+)\s*$/gm),
      ].map((m) => m[1]);
      const replaces = [`${FLUX_MODULE} => ./flux2`, ...pins].map((r) => `\t${r}`).join("\n");
      const goMod = `module mooring.local/flux-cli\n\ngo 1.26.0\n\nrequire ${FLUX_MODULE} ${FLUX_CLI_VERSION}\n\nreplace (\n${replaces}\n)\n`;
      await writeFile(join(moduleDir, "go.mod"), goMod);
    },
  });
  return paths.flux ?? "";
}

/** The module cache is read-only; our copy must not be, or the next rebuild cannot remove it. */
async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else await chmod(path, 0o644);
  }
}
