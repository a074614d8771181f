import { chmod, cp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ensureGoBinaries, goCommand } from "../go-build/go-build.js";
import { FluxUnavailableError } from "./build.js";

/**
 * The Flux controllers the benchmarks measure mooring against, pinned to the releases that ship
 * with the pinned flux CLI (flux2 v2.9.5 requires both APIs at v1.9.5).
 */
export const FLUX_CONTROLLER_VERSIONS = {
  "source-controller": "v1.9.5",
  "kustomize-controller": "v1.9.5",
} as const;

/** A Flux controller the bench can build. */
export type FluxControllerName = keyof typeof FLUX_CONTROLLER_VERSIONS;

/** A required module version swapped for another one, and why. */
export interface ModuleSubstitute {
  module: string;
  version: string;
  because: string;
}

/**
 * Required module versions the Go module proxy reachable here refuses (403), each swapped for the
 * nearest release it serves. The only change between the two is dependency bumps in their go.mod,
 * so the controller's code is the release's own. The checksum database does not know the
 * substitutes through this proxy, so they are exempt from it (GONOSUMDB); go.sum records them.
 */
export const MODULE_SUBSTITUTES: Record<FluxControllerName, ModuleSubstitute[]> = {
  "source-controller": [
    {
      module: "github.com/fluxcd/pkg/artifact",
      version: "v0.18.1",
      because: "v0.18.3 (required) is refused; v0.18.1..v0.18.3 differ only in go.mod dependency bumps",
    },
  ],
  "kustomize-controller": [],
};

/** A built controller: its binary and the directory of the CRDs it ships. */
export interface FluxController {
  binary: string;
  crdDir: string;
}

/** Options for {@link ensureFluxController}. */
export interface FluxControllerBuildOptions {
  /** e.g. `~/.cache/mooring/flux-controllers`; each controller gets its own subdirectory. */
  cacheRoot: string;
  log: (line: string) => void;
}

type Spec = { label: string; log: (l: string) => void; unavailable: (m: string) => Error };

/**
 * Builds one Flux controller from its Go module into the cache, once, and returns the binary's
 * path. The module is built in a copy of itself so that its own go.mod (with its replace
 * directives and go.sum) governs the build; a replace pointing into the repository (`./api`) names
 * a separate module the zip leaves out, so that module is downloaded at the version go.mod
 * requires and put where the replace expects it.
 */
export async function ensureFluxController(
  name: FluxControllerName,
  options: FluxControllerBuildOptions,
): Promise<FluxController> {
  const version = FLUX_CONTROLLER_VERSIONS[name];
  const substitutes = MODULE_SUBSTITUTES[name];
  const module = `github.com/fluxcd/${name}`;
  const spec: Spec = {
    label: name,
    log: options.log,
    unavailable: (m) => new FluxUnavailableError(m),
  };
  const cacheRoot = join(options.cacheRoot, name);
  const paths = await ensureGoBinaries({
    ...spec,
    env: substitutes.length > 0 ? { GONOSUMDB: substitutes.map((s) => s.module).join(",") } : {},
    cacheRoot,
    version,
    packages: { [name]: module },
    ldflags: "-s -w",
    prepareModule: async (moduleDir) => {
      const src = await download(spec, `${module}@${version}`, moduleDir);
      await copyWritable(src, moduleDir);
      const goMod = await readFile(join(moduleDir, "go.mod"), "utf8");
      for (const local of localReplaces(goMod)) {
        const required = requiredVersion(goMod, local.module);
        if (required === undefined) continue;
        const dir = await download(spec, `${local.module}@${required}`, moduleDir);
        const target = join(moduleDir, local.path);
        await rm(target, { recursive: true, force: true });
        await copyWritable(dir, target);
      }
      if (substitutes.length > 0)
        await writeFile(join(moduleDir, "go.mod"), withSubstitutes(goMod, substitutes));
    },
  });
  // The build module is kept next to the binary; its config/crd/bases is the release's CRDs.
  return { binary: paths[name] ?? "", crdDir: join(cacheRoot, version, "module", "config", "crd", "bases") };
}

/** go.mod with a `replace` line per substitute. */
export function withSubstitutes(goMod: string, substitutes: ModuleSubstitute[]): string {
  const lines = substitutes.map((s) => `replace ${s.module} => ${s.module} ${s.version} // ${s.because}`);
  return `${goMod.trimEnd()}\n\n${lines.join("\n")}\n`;
}

async function download(spec: Spec, what: string, cwd: string): Promise<string> {
  const out = await goCommand(spec, ["mod", "download", "-json", what], cwd, `downloading ${what}`);
  return (JSON.parse(out) as { Dir: string }).Dir;
}

/** `replace a/b => ./api` lines: the in-repository modules the zip does not carry. */
export function localReplaces(goMod: string): { module: string; path: string }[] {
  return [...goMod.matchAll(/^\s*(?:replace\s+)?(\S+)\s+=>\s+(\.\.?\/\S*)\s*$/gm)].map((m) => ({
    module: m[1] ?? "",
    path: m[2] ?? "",
  }));
}

/** The version go.mod requires of `module`, if any. */
export function requiredVersion(goMod: string, module: string): string | undefined {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goMod)?.[1];
}

/** The module cache is read-only; the build copy must be writable (and removable). */
async function copyWritable(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
  const walk = async (dir: string): Promise<void> => {
    await chmod(dir, 0o755);
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else await chmod(p, 0o644);
    }
  };
  await walk(to);
}
