/**
 * Thin helpers over the `docker` CLI for the dev scripts (kind e2e, kind quick start): run a
 * command and fail with one clear line, ask whether an image exists, build with the classic
 * builder (BuildKit would fetch its Dockerfile frontend from Docker Hub, which offline machines
 * cannot reach).
 */
import { run, tail } from "../go-build/exec.js";

/** A docker (or kind, kubectl) step that failed, with the command's last lines of output. */
export class ContainerStepError extends Error {
  override name = "ContainerStepError";
}

/** Runs a command, returns its stdout, throws a ContainerStepError naming `what` on failure. */
export async function must(
  what: string,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; heartbeat?: (ms: number) => void } = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const output = tail(result.stderr || result.stdout, 6).replace(/\s*\n\s*/g, " | ");
    throw new ContainerStepError(`${what} failed (${command} exited ${result.code}): ${output}`);
  }
  return result.stdout;
}

/** The engine's version when `docker info` answers, else undefined and why not. */
export async function dockerServerVersion(): Promise<{ version?: string; reason: string }> {
  const result = await run("docker", ["info", "--format", "{{.ServerVersion}}"]);
  if (result.code === 0 && result.stdout.trim()) return { version: result.stdout.trim(), reason: "" };
  return { reason: tail(result.stderr || result.stdout || "docker info failed", 1) };
}

/** Whether the local engine holds an image with this name. */
export async function imageExists(image: string): Promise<boolean> {
  return (await run("docker", ["image", "inspect", "--format", "{{.Id}}", image])).code === 0;
}

/** Whether `docker pull` can fetch the image (a registry answers); never throws. */
export async function tryPull(image: string): Promise<boolean> {
  return (await run("docker", ["pull", "--quiet", image])).code === 0;
}

/** `docker build` with the classic builder; `heartbeat` gets a call every 30 s. */
export async function dockerBuild(
  what: string,
  args: readonly string[],
  options: { cwd: string; heartbeat?: (ms: number) => void },
): Promise<void> {
  await must(what, "docker", ["build", "--quiet", ...args], {
    cwd: options.cwd,
    env: { ...process.env, DOCKER_BUILDKIT: "0" },
    heartbeat: options.heartbeat,
  });
}
