/**
 * The controller Deployment's command line, as the kubelet would compose it from the image's
 * ENTRYPOINT/CMD and the container's `command`/`args`, must start the mooring CLI with flags the
 * controller accepts. Issue 13: `args: [controller, ...]` replaced the image's CMD, which began
 * with the script path, so node looked for a module `/app/controller` and the pod crash-looped.
 */
import { existsSync, readFileSync } from "node:fs";
import { posix, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseControllerArgs } from "../../src/cli/commands/controller.js";
import { build } from "../../src/kustomize/index.js";

const root = resolve(import.meta.dirname, "../..");

/** ENTRYPOINTs of the base images the Dockerfile may use, as their registries publish them. */
const BASE_ENTRYPOINTS: Record<string, string[]> = {
  "gcr.io/distroless/nodejs24-debian12:nonroot": ["/nodejs/bin/node"],
  "gcr.io/distroless/nodejs24-debian12": ["/nodejs/bin/node"],
  "node:24-bookworm-slim": ["docker-entrypoint.sh"],
};

interface FinalStage {
  readonly from: string;
  readonly workdir: string;
  readonly entrypoint: string[] | undefined;
  readonly cmd: string[] | undefined;
  /** Container path → path in the build context, for `COPY --from=build /src/X ./Y`. */
  readonly copies: [string, string][];
}

/** The last stage of a Dockerfile: the instructions that shape what the container runs. */
export function finalStage(dockerfile: string): FinalStage {
  const lines = dockerfile.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
  const start = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  let stage: FinalStage = { from: "", workdir: "/", entrypoint: undefined, cmd: undefined, copies: [] };
  for (const line of lines.slice(start)) {
    const [word = "", ...rest] = line.trim().split(/\s+/);
    const arg = rest.join(" ");
    const instruction = word.toUpperCase();
    if (instruction === "FROM") stage = { ...stage, from: rest[0] ?? "" };
    if (instruction === "WORKDIR") stage = { ...stage, workdir: posix.resolve(stage.workdir, arg) };
    if (instruction === "ENTRYPOINT") stage = { ...stage, entrypoint: execForm(arg), cmd: undefined };
    if (instruction === "CMD") stage = { ...stage, cmd: execForm(arg) };
    if (instruction === "COPY") {
      const paths = rest.filter((r) => !r.startsWith("--"));
      const from = rest.some((r) => r.startsWith("--from="));
      const [src = "", dest = ""] = paths;
      // Multi-stage copies come from the build stage's WORKDIR /src, context copies from the repo.
      const source = from ? posix.relative("/src", src) : src;
      stage = { ...stage, copies: [...stage.copies, [posix.resolve(stage.workdir, dest), source]] };
    }
  }
  return stage;
}

function execForm(arg: string): string[] {
  const parsed: unknown = JSON.parse(arg);
  if (!Array.isArray(parsed)) throw new Error(`not exec form: ${arg}`);
  return parsed.map(String);
}

/** Kubernetes' rule: `command` replaces ENTRYPOINT (and drops CMD), `args` replaces CMD. */
function effectiveArgv(image: FinalStage, container: { command?: string[]; args?: string[] }): string[] {
  const entrypoint = image.entrypoint ?? BASE_ENTRYPOINTS[image.from];
  if (!entrypoint) throw new Error(`unknown ENTRYPOINT of base image ${image.from}: add it to BASE_ENTRYPOINTS`);
  if (container.command) return [...container.command, ...(container.args ?? [])];
  return [...entrypoint, ...(container.args ?? image.cmd ?? [])];
}

/** The repository file a container path holds, through the final stage's COPY lines. */
function sourceOf(image: FinalStage, containerPath: string): string | undefined {
  for (const [dest, src] of image.copies) {
    if (containerPath === dest || containerPath.startsWith(`${dest}/`)) {
      return posix.join(src, posix.relative(dest, containerPath));
    }
  }
  return undefined;
}

/** The TypeScript source compiled to `dist/src/X.js` (tsconfig.build.json: src → dist/src). */
function typescriptSourceOf(compiled: string): string | undefined {
  const match = /^dist\/(src\/.+)\.js$/.exec(compiled);
  return match ? `${match[1]}.ts` : undefined;
}

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string }[];
}

async function controllerContainer(): Promise<Container> {
  const resources = await build(resolve(root, "deploy"));
  const deployment = resources.find((r) => r.kind() === "Deployment" && r.name() === "mooring");
  const spec = (deployment?.node.toJSON() as { spec?: { template: { spec: { containers: Container[] } } } })
    ?.spec;
  const container = spec?.template.spec.containers.find((c) => c.name === "manager");
  if (!container) throw new Error("deploy/ has no Deployment mooring with a container named manager");
  return container;
}

/**
 * Checks that argv starts node on the compiled CLI entry with the `controller` command and flags
 * it accepts. Returns the problem, or undefined when the pod would start.
 */
function problemWith(argv: string[], image: FinalStage): string | undefined {
  const [node = "", script = "", command, ...flags] = argv;
  if (!/(^|\/)node$/.test(node)) return `the container runs ${node}, not node`;
  const scriptPath = posix.resolve(image.workdir, script);
  const compiled = sourceOf(image, scriptPath);
  const source = compiled ? typescriptSourceOf(compiled) : undefined;
  if (!source || !existsSync(resolve(root, source)))
    return `node would load ${scriptPath}, which the image does not hold as a compiled source file`;
  if (source !== "src/cli/bin.ts") return `node would run ${source}, not the mooring CLI (src/cli/bin.ts)`;
  if (command !== "controller") return `the CLI would run "${String(command)}", not "controller"`;
  // $(VAR) references are expanded by the kubelet from the container's env; any value parses.
  const expanded = flags.map((f) => f.replace(/\$\([A-Z_]+\)/g, "ns"));
  try {
    parseControllerArgs(expanded, {});
  } catch (err) {
    return `the controller refuses its flags: ${(err as Error).message}`;
  }
  return undefined;
}

describe("the controller's command line in the image (issue 13)", () => {
  const image = finalStage(readFileSync(resolve(root, "Dockerfile"), "utf8"));

  it("deploy/'s Deployment starts the mooring controller with flags it accepts", async () => {
    const container = await controllerContainer();
    const argv = effectiveArgv(image, container);
    expect(problemWith(argv, image)).toBeUndefined();
  });

  it("the image's own default command starts the controller", () => {
    expect(problemWith(effectiveArgv(image, {}), image)).toBeUndefined();
  });

  it("refuses the command line that crash-looped: args replacing a CMD that held the script", () => {
    const broken: FinalStage = {
      ...image,
      entrypoint: undefined,
      cmd: ["dist/src/cli/bin.js", "controller", "--storage-path=/data"],
    };
    const argv = effectiveArgv(broken, { args: ["controller", "--storage-path=/data", "--leader-elect"] });
    expect(problemWith(argv, broken)).toMatch(/node would load \/app\/controller/);
    expect(problemWith(effectiveArgv(broken, {}), broken)).toBeUndefined();
  });

  it("refuses a flag the controller does not know", () => {
    expect(problemWith(effectiveArgv(image, { args: ["controller", "--no-such-flag"] }), image)).toMatch(
      /refuses its flags/,
    );
  });
});
