/**
 * Writes a repository's first commit straight into its bare repository with one `git fast-import`
 * process. `GitRepo.commit` goes through a work clone and a push (a dozen git processes), which
 * made preparing S1's thousand repositories take minutes; these repositories are never committed
 * to again.
 */
import { git, gitIdentityEnv } from "../../src/dev/git-server/git-cli.js";
import type { GitRepo, GitServer } from "../../src/dev/git-server/index.js";
import { Semaphore } from "../../src/runtime/semaphore.js";

const FIXED_DATE = new Date(Date.UTC(2026, 0, 1));

/** Commits `files` (path → text) as the first commit of `repo`'s default branch; returns its sha. */
export async function seedRepo(repo: GitRepo, files: Readonly<Record<string, string>>): Promise<string> {
  const env = gitIdentityEnv(FIXED_DATE);
  const who = `${env.GIT_COMMITTER_NAME} <${env.GIT_COMMITTER_EMAIL}> ${env.GIT_COMMITTER_DATE}`;
  const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const stream = [
    `commit refs/heads/${repo.defaultBranch}\n`,
    `author ${who}\n`,
    `committer ${who}\n`,
    data("seed"),
    ...Object.entries(files).map(([path, text]) => `M 100644 inline ${path}\n${data(text)}`),
    "done\n",
  ].join("");
  await git(["fast-import", "--quiet", "--done"], { cwd: repo.barePath, input: stream });
  return repo.revParse(`refs/heads/${repo.defaultBranch}`);
}

/**
 * Creates `count` repositories named `${prefix}-<i>` on `server`, each seeded with `files(i)`
 * (8 at a time); returns their URLs in order.
 */
export async function seedRepos(
  server: GitServer,
  count: number,
  prefix: string,
  files: (i: number) => Readonly<Record<string, string>>,
): Promise<string[]> {
  const sem = new Semaphore(8);
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      sem.run(async () => {
        const repo = await server.createRepo(`${prefix}-${i}`);
        await seedRepo(repo, files(i));
        return repo.url;
      }),
    ),
  );
}
