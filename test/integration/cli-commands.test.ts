/**
 * Every `mooring` CLI command against the real control plane, with the real controller running
 * in-process and a real git server (issue 7, item 1): output, `-o json` and exit codes.
 */
import { spawn } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessController } from "../support/in-process-controller.js";
import { stringify } from "yaml";
import { runCli } from "../../src/cli/program.js";
import { startGitServer, type GitRepo, type GitServer } from "../../src/dev/git-server/index.js";
import {
  eventually,
  kubeconfigPath,
  kubectl,
  randomSuffix,
  readObject,
  runUntilMatches,
  useTestNamespace,
  waitForCondition,
} from "../support/kube.js";

const ns = useTestNamespace("cli");
const shard = `cli-${randomSuffix()}`;
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };
const labels = { "sharding.fluxcd.io/key": shard };

let git: GitServer;
let repo: GitRepo;
let storage = "";
let scratch = "";
const stop = new AbortController();
let done: Promise<void> | undefined;

/** Runs the CLI in-process and captures what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli([...argv, "--kubeconfig", kubeconfigPath()], {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    tty: false,
    env: {},
  });
  return { code, out, err };
}

const cm = (name: string, data: Record<string, string>): string =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns() }, data });
const appFiles = (extra: Record<string, string> = {}): Record<string, string> => ({
  "app/kustomization.yaml": stringify({ resources: ["keep.yaml", "old.yaml", "pinned.yaml"] }),
  "app/pinned.yaml": stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "pinned",
      namespace: ns(),
      annotations: { "kustomize.toolkit.fluxcd.io/prune": "disabled" },
    },
  }),
  "app/keep.yaml": cm("keep", { color: "blue" }),
  "app/old.yaml": cm("old", { v: "1" }),
  ...extra,
});

async function apply(...objects: object[]): Promise<void> {
  const res = await kubectl(["apply", "-f", "-"], objects.map((o) => stringify(o)).join("---\n"));
  if (res.code !== 0) throw new Error(res.stderr);
}

beforeAll(async () => {
  git = await startGitServer();
  repo = await git.createRepo("app", { defaultBranch: "main" });
  await repo.commit({ files: appFiles(), message: "app" });
  storage = await mkdtemp(join(tmpdir(), "cli-storage-"));
  scratch = await mkdtemp(join(tmpdir(), "cli-local-"));
  const { running } = await startInProcessController({
    storagePath: storage,
    shard,
    instance: "cli-test",
    signal: stop.signal,
  });
  done = running.done;
  await apply(
    {
      ...GR,
      metadata: { name: "app", namespace: ns(), labels },
      spec: { url: repo.url, interval: "1h", ref: { branch: "main" } },
    },
    {
      ...KS,
      metadata: { name: "app", namespace: ns(), labels },
      spec: { interval: "1h", path: "./app", prune: true, sourceRef: { kind: "GitRepository", name: "app" } },
    },
  );
  await waitForCondition({ ...KS, name: "app", namespace: ns() }, "Ready", "True", { timeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  stop.abort();
  await done?.catch(() => undefined);
  await git?.stop();
  for (const dir of [storage, scratch]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe("mooring CLI against a live controller", () => {
  it("get sources git and get ks (-A, -o json) show Ready objects", async () => {
    const sourceReady = /app\s+main@sha1:[0-9a-f]+\s+false\s+True\s+stored artifact/;
    const sources = await runUntilMatches(() => cli("get", "sources", "git", "-n", ns()), sourceReady);
    expect(sources.code).toBe(0);
    expect(sources.out).toMatch(sourceReady);
    const ksReady = new RegExp(`${ns()}\\s+app\\s+main@sha1:[0-9a-f]+\\s+false\\s+True\\s+Applied revision`);
    const all = await runUntilMatches(() => cli("get", "ks", "-A"), ksReady);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(ksReady);
    const json = await cli("get", "ks", "-n", ns(), "-o", "json");
    expect(json.code).toBe(0);
    expect(JSON.stringify(JSON.parse(json.out))).toContain('"name":"app"');
  });

  it("reconcile source git, then reconcile ks --with-source applies a pushed change", async () => {
    expect((await cli("reconcile", "source", "git", "app", "-n", ns())).code).toBe(0);
    await repo.commit({ files: appFiles({ "app/keep.yaml": cm("keep", { color: "green" }) }) });
    const res = await cli("reconcile", "ks", "app", "--with-source", "-n", ns());
    expect(res.code).toBe(0);
    const keep = (await readObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "keep",
      namespace: ns(),
    })) as {
      data?: Record<string, string>;
    };
    expect(keep.data).toEqual({ color: "green" });
  });

  it("suspend ks sets spec.suspend; resume clears it and waits for a reconcile", async () => {
    expect((await cli("suspend", "ks", "app", "-n", ns())).code).toBe(0);
    const ref = { ...KS, name: "app", namespace: ns() };
    expect(((await readObject(ref)) as { spec: { suspend?: boolean } }).spec.suspend).toBe(true);
    const resumed = await cli("resume", "ks", "app", "-n", ns());
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain("resumed and reconciled");
    expect(((await readObject(ref)) as { spec: { suspend?: boolean } }).spec.suspend).toBe(false);
  });

  it("tree ks lists the inventory; events --for shows the Kustomization's events", async () => {
    const tree = await cli("tree", "ks", "app", "-n", ns());
    expect(tree.code).toBe(0);
    expect(tree.out).toContain(`ConfigMap/${ns()}/keep`);
    expect(tree.out).toContain(`ConfigMap/${ns()}/old`);
    const events = await cli("events", "--for", "Kustomization/app", "-n", ns());
    expect(events.code).toBe(0);
    expect(events.out).toMatch(/Kustomization\/app/);
  });

  it("build renders a directory as kubectl kustomize does", async () => {
    const dir = await localTree("build", appFiles());
    const res = await cli("build", dir);
    expect(res.code).toBe(0);
    expect(res.out).toContain("name: keep");
    expect(res.out).toContain("name: old");
  });

  it("diff ks shows an added, a changed and a to-be-pruned object and exits 1", async () => {
    const dir = await localTree("diff", {
      "app/kustomization.yaml": stringify({ resources: ["keep.yaml", "added.yaml"] }),
      "app/keep.yaml": cm("keep", { color: "red" }),
      "app/added.yaml": cm("added", { x: "1" }),
    });
    const res = await cli("diff", "ks", "app", "--path", dir, "-n", ns());
    expect(res.err).toBe("");
    expect(res.code).toBe(1);
    expect(res.out).toContain(`► ConfigMap/${ns()}/added created`);
    expect(res.out).toContain(`► ConfigMap/${ns()}/keep drifted\n  data.color: "green" → "red"`);
    expect(res.out).toContain(`► ConfigMap/${ns()}/old deleted`);
    expect(res.out).not.toContain("pinned");
    const json = await cli("diff", "ks", "app", "--path", dir, "-n", ns(), "-o", "json");
    expect(json.code).toBe(1);
    // Built objects in kustomize's output order, then what would be pruned.
    expect(JSON.parse(json.out)).toEqual([
      { object: `ConfigMap/${ns()}/added`, action: "created" },
      {
        object: `ConfigMap/${ns()}/keep`,
        action: "drifted",
        changes: [{ path: "data.color", live: "green", desired: "red" }],
      },
      { object: `ConfigMap/${ns()}/old`, action: "deleted" },
    ]);
    const live = (await readObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "keep",
      namespace: ns(),
    })) as {
      data?: Record<string, string>;
    };
    expect(live.data).toEqual({ color: "green" });
  });

  it("diff ks exits 0 when the local tree matches the cluster, 2 when it cannot build", async () => {
    const same = await localTree("same", appFiles({ "app/keep.yaml": cm("keep", { color: "green" }) }));
    const res = await cli("diff", "ks", "app", "--path", same, "-n", ns());
    expect(res.out).toBe("");
    expect(res.code).toBe(0);
    const broken = await localTree("broken", { "app/kustomization.yaml": "resources: [missing.yaml]\n" });
    const bad = await cli("diff", "ks", "app", "--path", broken, "-n", ns());
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^✗ .*missing\.yaml/);
  });

  it("install --dry-run validates deploy/ server-side; uninstall refuses without --yes", async () => {
    const res = await cli("install", "--dry-run");
    expect(res.err).toBe("");
    expect(res.code).toBe(0);
    expect(res.out).toContain("✔ Deployment/mooring valid (dry run)");
    expect(res.out).toContain("✔ install dry run passed");
    const refused = await cli("uninstall");
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("--yes");
  });

  it("install applies deploy/ and waits for Available; uninstall --yes removes it but keeps the CRDs", async () => {
    // No kubelet here: play the deployment controller once the Deployment exists.
    const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "mooring", namespace: "mooring-system" };
    const status = { status: { conditions: [{ type: "Available", status: "True", reason: "Test" }] } };
    const markAvailable = eventually(
      "the installed Deployment to exist and be marked Available",
      async () => {
        if ((await readObject(ref)) === undefined) return undefined;
        const res = await kubectl([
          "-n",
          "mooring-system",
          "patch",
          "deployment",
          "mooring",
          "--subresource=status",
          "--type=merge",
          "-p",
          JSON.stringify(status),
        ]);
        return res.code === 0 ? true : undefined;
      },
      undefined,
      { timeoutMs: 60_000 },
    );
    const res = await cli("install", "--timeout", "60s");
    await markAvailable;
    expect(res.err).not.toContain("✗");
    expect(res.code).toBe(0);
    expect(res.out).toContain(
      "✔ CustomResourceDefinition/kustomizations.kustomize.toolkit.fluxcd.io applied",
    );
    expect(res.out).toContain("✔ mooring installed");
    // An object of the controller's, its finalizer set: with the controller deleted first, the
    // namespace would stay Terminating on it forever unless uninstall releases it (issue 13).
    const left = {
      ...GR,
      metadata: { name: "left-behind", namespace: "mooring-system", finalizers: ["finalizers.fluxcd.io"] },
    };
    await apply({ ...left, spec: { url: "https://example.invalid/left.git", interval: "1h" } });
    const gone = await cli("uninstall", "--yes");
    expect(gone.code).toBe(0);
    expect(gone.out).toContain("✔ GitRepository/mooring-system/left-behind finalizer removed");
    expect(gone.out).toContain("✔ Deployment/mooring deleted");
    expect(gone.out).toContain("✔ Namespace/mooring-system deleted");
    expect(gone.out).not.toContain("CustomResourceDefinition");
    await eventually("mooring-system to be deleted", () =>
      readObject({ apiVersion: "v1", kind: "Namespace", name: "mooring-system" }).then((o) =>
        o === undefined ? true : undefined,
      ),
    );
    expect(
      await readObject({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        name: "kustomizations.kustomize.toolkit.fluxcd.io",
      }),
    ).toBeDefined();
  });

  it("exit codes: 2 for usage errors, 1 for a failed reconcile", async () => {
    expect((await cli("get", "nonsense")).code).toBe(2);
    expect((await cli("tree", "pods", "x")).code).toBe(2);
    expect((await cli("diff", "ks", "app")).code).toBe(2);
    await apply({
      ...KS,
      metadata: { name: "broken", namespace: ns(), labels },
      spec: {
        interval: "1h",
        path: "./nowhere",
        prune: true,
        sourceRef: { kind: "GitRepository", name: "app" },
      },
    });
    const failed = await cli("reconcile", "ks", "broken", "-n", ns(), "--timeout", "60s");
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/✗ .*nowhere/);
  });

  it("the real executable exits with the documented codes", async () => {
    expect(await bin(["get", "ks", "-n", ns()])).toBe(0);
    expect(await bin(["get", "nonsense"])).toBe(2);
  });
});

async function localTree(name: string, files: Record<string, string>): Promise<string> {
  const root = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return join(root, "app");
}

function bin(args: string[]): Promise<number> {
  return new Promise((done) => {
    const child = spawn("npx", ["tsx", "src/cli/bin.ts", ...args], {
      cwd: resolve(import.meta.dirname, "../.."),
      env: { ...process.env, KUBECONFIG: kubeconfigPath() },
      stdio: "ignore",
    });
    child.on("close", (code) => done(code ?? -1));
  });
}
