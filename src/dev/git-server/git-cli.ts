/**
 * A tiny promise wrapper around the `git` command line for the test git server's helpers.
 *
 * Repositories are prepared with real git (not isomorphic-git) so that what the controller
 * fetches was written by the reference implementation.
 */
import { spawn } from "node:child_process";

/** A failed git invocation, with git's stderr. */
export class GitCliError extends Error {
  override readonly name = "GitCliError";
}

/** Options for {@link git}. */
export interface GitCliOptions {
  readonly cwd: string;
  readonly input?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
}

/** Fixed identity and dates so generated repositories are reproducible. */
export function gitIdentityEnv(date: Date): Record<string, string> {
  const stamp = `${Math.floor(date.getTime() / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: "Mooring Test",
    GIT_AUTHOR_EMAIL: "test@mooring.invalid",
    GIT_COMMITTER_NAME: "Mooring Test",
    GIT_COMMITTER_EMAIL: "test@mooring.invalid",
    GIT_AUTHOR_DATE: stamp,
    GIT_COMMITTER_DATE: stamp,
  };
}

/** Runs `git <args>` and resolves with trimmed stdout; rejects with stderr on a non-zero exit. */
export function git(args: readonly string[], opts: GitCliOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: opts.cwd,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", ...opts.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8").trim());
      else
        reject(new GitCliError(`git ${args[0] ?? ""} failed: ${Buffer.concat(err).toString("utf8").trim()}`));
    });
    child.stdin.on("error", () => undefined); // git may exit before reading its input
    child.stdin.end(opts.input ?? "");
  });
}
