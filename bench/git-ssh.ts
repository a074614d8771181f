/**
 * S4's SSH rows (issue 21): the same repository through the OpenSSH test server (Debian's sshd,
 * git-shell), mooring's SSH transport against `git` over the same server with the same key and
 * known_hosts: the artifact (fetch + tar.gz, own process each) and the no-op poll (one ls-refs).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { GitRepo } from "../src/dev/git-server/index.js";
import { sshKeygen, startSshGitServer } from "../src/dev/ssh-server/index.js";
import { gitAuthFor, parseRepositoryUrl } from "../src/source/git-auth.js";
import { GitClient } from "../src/source/git-client.js";
import { refStrategy } from "../src/source/ref.js";
import { measureCommand, timeIt } from "./lib/measure.js";
import { formatMs, ratio, summarise } from "./lib/stats.js";

const median = (xs: number[]): number => summarise(xs).median;

/** Rows and notes for S4, measured against a fresh sshd serving `repo`. */
export async function sshRows(
  repoRoot: string,
  repo: GitRepo,
  dir: string,
  runs: number,
): Promise<{ rows: string[][]; notes: string[] }> {
  const server = await startSshGitServer();
  try {
    const key = await sshKeygen(dir, "bench_ed25519", "ed25519");
    await server.authorize(key.publicKey);
    const knownHosts = join(dir, "known_hosts");
    await writeFile(knownHosts, server.knownHosts);
    const url = server.urlFor(repo.barePath);
    const sshCommand = `ssh -i ${key.privateKeyFile} -o IdentitiesOnly=yes -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes`;
    const gitEnv = { ...process.env, GIT_SSH_COMMAND: sshCommand };
    const archiveEnv = {
      ...process.env,
      MOORING_BENCH_SSH_IDENTITY: key.privateKeyFile,
      MOORING_BENCH_SSH_KNOWN_HOSTS: knownHosts,
    };
    const ours: number[] = [];
    const ref: number[] = [];
    for (let i = 0; i < runs; i++) {
      const script = `git clone -q --depth 1 ${url} ${dir}/ssh-clone-${i} && tar czf ${dir}/ssh-ref.tar.gz -C ${dir}/ssh-clone-${i} . && rm -rf ${dir}/ssh-clone-${i}`;
      const r = await measureCommand("sh", ["-c", script], { env: gitEnv });
      if (r.code !== 0) throw new Error(`git over ssh failed: ${r.stderr}`);
      ref.push(r.ms);
      const o = await measureCommand(
        "npx",
        ["tsx", join(repoRoot, "bench", "git-archive.ts"), url, "main", join(dir, `ssh-ours-${i}.tar.gz`)],
        { cwd: repoRoot, env: archiveEnv },
      );
      if (o.code !== 0) throw new Error(`git-archive over ssh failed: ${o.stderr}`);
      ours.push((JSON.parse(o.stdout.trim().split("\n").at(-1) ?? "{}") as { ms: number }).ms);
    }
    const client = new GitClient({ cacheRoot: join(dir, "ssh-noop-cache") });
    const secret = { identity: key.privateKey, known_hosts: server.knownHosts };
    const target = { auth: gitAuthFor(parseRepositoryUrl(url), secret, "bench"), cacheKey: "bench/ssh" };
    const strategy = refStrategy({ branch: "main" });
    await client.resolve(target, strategy);
    const noopOurs: number[] = [];
    const noopRef: number[] = [];
    for (let i = 0; i < runs * 4; i++) {
      noopOurs.push((await timeIt(() => client.resolve(target, strategy))).ms);
      noopRef.push((await measureCommand("git", ["ls-remote", url, "refs/heads/main"], { env: gitEnv })).ms);
    }
    return {
      rows: [
        ["**over SSH** (OpenSSH sshd, git-shell)", "mooring", "git reference", "ratio (reference / mooring)"],
        [
          "artifact time over SSH (fetch + tar.gz)",
          formatMs(summarise(ours)),
          formatMs(summarise(ref)),
          ratio(median(ref), median(ours)),
        ],
        [
          "no-op poll over SSH (connect + ls-refs)",
          formatMs(summarise(noopOurs)),
          formatMs(summarise(noopRef)),
          ratio(median(noopRef), median(noopOurs)),
        ],
      ],
      notes: [
        "SSH rows: Debian's OpenSSH sshd on 127.0.0.1 (src/dev/ssh-server), Ed25519 key, strict known_hosts for both sides. mooring: bench/git-archive.ts over ssh:// (own process, time inside it); no-op poll: GitClient.resolve (a new SSH connection and one upload-pack with a v2 ls-refs per poll, warm process) vs `git ls-remote <ssh url> refs/heads/main` with GIT_SSH_COMMAND (includes ssh's and git's process start). Flux's source-controller over SSH is not in this table.",
      ],
    };
  } finally {
    await server.stop();
  }
}
