/**
 * Bare repositories of the test git server and the one-call "write, commit, push" helper.
 *
 * Each bare repo `<root>/repos/<name>.git` has a private work clone `<root>/work/<name>`; a commit
 * writes files there, commits with a fixed identity and pushes over the local file path, so
 * preparing a repository never shows up in the HTTP request log.
 */
import { appendFile, chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { git, gitIdentityEnv } from "./git-cli.js";

/** A file to write: text, bytes, or a file with a mode. `null` deletes the path. */
export type FileSpec =
  | string
  | Uint8Array
  | { readonly content: string | Uint8Array; readonly executable?: boolean }
  | { readonly symlink: string }
  | null;

/** Input of {@link GitRepo.commit}. */
export interface CommitOptions {
  readonly files: Readonly<Record<string, FileSpec>>;
  readonly message?: string;
  /** Branch to commit on; created from the current HEAD of the work clone when new. */
  readonly branch?: string;
  /** Author and committer date; defaults to a fixed clock that advances one second per commit. */
  readonly date?: Date;
  /** Sign the commit with this key (real `gpg`, or `ssh-keygen` for SSH keys). */
  readonly sign?: SigningKey;
}

/** A signing key used through `git commit -S` / `git tag -s`: OpenPGP (gpg) by default, or SSH. */
export interface SigningKey {
  /** OpenPGP: key ID, fingerprint or user ID gpg knows the secret key by. SSH: private key file. */
  readonly keyId: string;
  /** OpenPGP: the `GNUPGHOME` holding the secret key. */
  readonly gnupgHome?: string;
  /** `ssh` signs with `ssh-keygen -Y sign` (git's `gpg.format=ssh`). */
  readonly format?: "openpgp" | "ssh";
}

/** Input of {@link GitRepo.tag}. */
export interface TagOptions {
  /** Commit-ish to tag; defaults to the head of the default branch. */
  readonly target?: string;
  /** Annotated tag with this message; lightweight when absent. */
  readonly message?: string;
  /** Sign the (annotated) tag with this key. */
  readonly sign?: SigningKey;
}

const signingEnv = (key: SigningKey | undefined): Record<string, string> =>
  key?.gnupgHome === undefined ? {} : { GNUPGHOME: key.gnupgHome };

/** `-c` options selecting the key (before the subcommand). */
const signingConfig = (key: SigningKey | undefined): string[] =>
  key === undefined
    ? []
    : ["-c", `gpg.format=${key.format ?? "openpgp"}`, "-c", `user.signingkey=${key.keyId}`];

let clock = Date.UTC(2026, 0, 1);

/** Where a repository lives and how it is reached. */
export interface GitRepoLocation {
  /** Repository name as served, e.g. `app` for `/app.git`. */
  readonly name: string;
  /** Clone URL (http, through the test server). */
  readonly url: string;
  readonly barePath: string;
  readonly workPath: string;
  readonly defaultBranch: string;
}

/** One bare repository plus its helpers. */
export class GitRepo {
  readonly name: string;
  readonly url: string;
  readonly barePath: string;
  readonly defaultBranch: string;
  private readonly workPath: string;

  constructor(loc: GitRepoLocation) {
    this.name = loc.name;
    this.url = loc.url;
    this.barePath = loc.barePath;
    this.workPath = loc.workPath;
    this.defaultBranch = loc.defaultBranch;
  }

  /** Writes (or deletes) files, commits and pushes; returns the new commit's sha. */
  async commit(opts: CommitOptions): Promise<string> {
    const branch = opts.branch ?? this.defaultBranch;
    await this.switchTo(branch);
    for (const [path, spec] of Object.entries(opts.files)) await this.writeSpec(path, spec);
    clock += 1000;
    const env = { ...gitIdentityEnv(opts.date ?? new Date(clock)), ...signingEnv(opts.sign) };
    const signArgs = opts.sign === undefined ? ["--no-gpg-sign"] : ["--gpg-sign"];
    await git(["add", "-A"], { cwd: this.workPath });
    const message = opts.message ?? "update";
    const args = [...signingConfig(opts.sign), "commit", "-q", "--allow-empty", ...signArgs, "-m", message];
    await git(args, { cwd: this.workPath, env });
    await git(["push", "-q", "origin", `HEAD:refs/heads/${branch}`], { cwd: this.workPath });
    return git(["rev-parse", "HEAD"], { cwd: this.workPath });
  }

  /** Creates (or moves) a tag and pushes it; returns the sha of the tagged commit. */
  async tag(name: string, opts: TagOptions = {}): Promise<string> {
    const target = opts.target ?? `refs/remotes/origin/${this.defaultBranch}`;
    await git(["fetch", "-q", "origin"], { cwd: this.workPath });
    const kind = opts.sign === undefined ? ["-a"] : ["-s"];
    const args =
      opts.message === undefined
        ? ["tag", "-f", name, target]
        : [...signingConfig(opts.sign), "tag", "-f", ...kind, name, "-m", opts.message, target];
    const env = { ...gitIdentityEnv(new Date(clock)), ...signingEnv(opts.sign) };
    await git(args, { cwd: this.workPath, env });
    await git(["push", "-q", "-f", "origin", `refs/tags/${name}`], { cwd: this.workPath });
    return git(["rev-parse", `${name}^{commit}`], { cwd: this.workPath });
  }

  /** Pushes an arbitrary ref (e.g. `refs/pull/1/head`) pointing at a commit. */
  async setRef(ref: string, sha: string): Promise<void> {
    await git(["update-ref", ref, sha], { cwd: this.barePath });
  }

  /** Current sha of a ref in the bare repository. */
  revParse(ref: string): Promise<string> {
    return git(["rev-parse", ref], { cwd: this.barePath });
  }

  private async switchTo(branch: string): Promise<void> {
    const current = await git(["symbolic-ref", "--short", "-q", "HEAD"], { cwd: this.workPath }).catch(
      () => "",
    );
    if (current === branch) return;
    const exists = await git(["rev-parse", "-q", "--verify", `refs/heads/${branch}`], { cwd: this.workPath })
      .then(() => true)
      .catch(() => false);
    const hasHead = await git(["rev-parse", "-q", "--verify", "HEAD"], { cwd: this.workPath })
      .then(() => true)
      .catch(() => false);
    if (exists) await git(["checkout", "-q", branch], { cwd: this.workPath });
    else if (hasHead) await git(["checkout", "-q", "-b", branch], { cwd: this.workPath });
    else await git(["checkout", "-q", "--orphan", branch], { cwd: this.workPath });
  }

  private async writeSpec(path: string, spec: FileSpec): Promise<void> {
    const full = join(this.workPath, path);
    await rm(full, { recursive: true, force: true });
    if (spec === null) return;
    await mkdir(dirname(full), { recursive: true });
    if (typeof spec === "string" || spec instanceof Uint8Array) {
      await writeFile(full, spec);
    } else if ("symlink" in spec) {
      await symlink(spec.symlink, full);
    } else {
      await writeFile(full, spec.content);
      await chmod(full, spec.executable === true ? 0o755 : 0o644);
    }
  }
}

/** Creates the bare repo and its work clone under `root`. */
export async function createRepo(
  root: string,
  name: string,
  url: string,
  defaultBranch: string,
): Promise<GitRepo> {
  const bare = join(root, "repos", `${name}.git`);
  const work = join(root, "work", name);
  await mkdir(bare, { recursive: true });
  await git(["init", "-q", "--bare", `--initial-branch=${defaultBranch}`], { cwd: bare });
  // Written to the config files directly: `git config` and `git remote add` would be three more
  // processes per repository, and benchmarks create a thousand of them.
  await appendFile(join(bare, "config"), "[uploadpack]\n\tallowAnySHA1InWant = true\n\tallowFilter = true\n");
  await mkdir(work, { recursive: true });
  await git(["init", "-q", `--initial-branch=${defaultBranch}`], { cwd: work });
  await appendFile(
    join(work, ".git", "config"),
    `[remote "origin"]\n\turl = ${bare}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`,
  );
  return new GitRepo({ name, url, barePath: bare, workPath: work, defaultBranch });
}
