/**
 * One-shot artifact build in its own process: `npx tsx bench/git-archive.ts <url> <branch> <out.tar.gz> [ignore]`.
 *
 * Fetches the branch with mooring's git client into a fresh cache and archives the commit straight
 * from the git objects with the source controller's ignore rules (the controller's path when a
 * GitRepository has no includes) and prints one JSON line (revision, digest, size, ms, peak
 * RSS). The bench runs it to measure time and memory apart from the bench process; the
 * reproducibility test runs it to archive the same commit in a second process. For an ssh:// URL
 * the key and known_hosts come from the files named by MOORING_BENCH_SSH_IDENTITY and
 * MOORING_BENCH_SSH_KNOWN_HOSTS (the Secret's `identity` and `known_hosts`).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitAuthFor, parseRepositoryUrl } from "../src/source/git-auth.js";
import { GitClient } from "../src/source/git-client.js";
import { refStrategy } from "../src/source/ref.js";

const [url, branch, out, ignore] = process.argv.slice(2);
if (url === undefined || branch === undefined || out === undefined) {
  console.error("usage: git-archive.ts <url> <branch> <out.tar.gz> [ignore]");
  process.exit(2);
}
const started = performance.now();
const dir = await mkdtemp(join(tmpdir(), "mooring-archive-"));
try {
  const client = new GitClient({ cacheRoot: join(dir, "cache") });
  const identity = process.env.MOORING_BENCH_SSH_IDENTITY;
  const knownHosts = process.env.MOORING_BENCH_SSH_KNOWN_HOSTS;
  const secret =
    identity === undefined || knownHosts === undefined
      ? undefined
      : { identity: await readFile(identity, "utf8"), known_hosts: await readFile(knownHosts, "utf8") };
  const target = { auth: gitAuthFor(parseRepositoryUrl(url), secret, "bench"), cacheKey: "bench/archive" };
  const strategy = refStrategy({ branch });
  const resolved = await client.resolve(target, strategy);
  await client.fetch(target, { strategy, resolved });
  const { digest, size } = await client.archive(target.cacheKey, {
    commit: resolved.commit,
    dest: out,
    ...(ignore === undefined ? {} : { specIgnore: ignore }),
  });
  const ms = performance.now() - started;
  const peakRssKb = process.resourceUsage().maxRSS;
  console.log(JSON.stringify({ revision: resolved.revision, digest, size, ms, peakRssKb }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
