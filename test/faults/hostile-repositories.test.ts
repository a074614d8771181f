/**
 * Issue 14 fault suite, hostile repositories: a tenant with commit access pushes alias bombs (in a
 * manifest, in kustomization.yaml, in a directory without one, in a patch), a huge file, 10,001
 * files, deep nesting, remote bases and symlinks escaping the root, while a second tenant's new
 * commit must be applied meanwhile. The real controller (main.ts, build threads included) runs
 * in-process against the real control plane and git server.
 *
 * Each hostile Kustomization must end BuildFailed with a message naming the problem, within
 * spec.timeout of its build; the controller stays up; peak RSS and times are printed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessController } from "../support/in-process-controller.js";
import { stringify } from "yaml";
import { startGitServer, type GitServer } from "../../src/dev/git-server/index.js";
import type { FileSpec } from "../../src/dev/git-server/repo.js";
import { aliasBomb, deepNesting } from "../support/hostile-yaml.js";
import {
  conditionOf,
  kubectl,
  randomSuffix,
  readObject,
  useTestNamespace,
  waitForCondition,
  waitForObject,
} from "../support/kube.js";

const ns = useTestNamespace("hostile");
const shard = `hostile-${randomSuffix()}`;
const labels = { "sharding.fluxcd.io/key": shard };
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };
const TIMEOUT = "1m";
const TIMEOUT_MS = 60_000;
/** Fetching the source and queueing come before the build; they get this much on top. */
const SOURCE_MARGIN_MS = 120_000;

const cmText = (name: string, data: Record<string, string> = { k: "v" }): string =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });
const kustomization = (extra: Record<string, unknown>): string => stringify(extra);

/** Each hostile case: its repository content and what the BuildFailed message must say. */
function hostileCases(): { name: string; files: Record<string, FileSpec>; expect: RegExp }[] {
  const many: Record<string, FileSpec> = {};
  const listed: string[] = [];
  for (let i = 0; i <= 10_000; i++) {
    many[`app/cm-${i}.yaml`] = cmText(`cm-${i}`);
    listed.push(`cm-${i}.yaml`);
  }
  many["app/kustomization.yaml"] = kustomization({ resources: listed });
  return [
    {
      name: "bomb-manifest",
      files: {
        "app/kustomization.yaml": kustomization({ resources: ["bomb.yaml"] }),
        "app/bomb.yaml": aliasBomb(9),
      },
      expect: /app\/bomb\.yaml: document contains excessive aliasing/,
    },
    {
      name: "bomb-kustomization",
      files: {
        "app/kustomization.yaml": `resources: [cm.yaml]\n${aliasBomb(9).replace(/^apiVersion[\s\S]*?data:\n/, "x:\n")}`,
        "app/cm.yaml": cmText("cm"),
      },
      expect: /kustomization\.yaml: invalid YAML: Excessive alias count/,
    },
    {
      name: "bomb-no-kustomization",
      files: { "app/bomb.yaml": aliasBomb(9) },
      expect: /failed to decode Kubernetes YAML from app\/bomb\.yaml: Excessive alias count/,
    },
    {
      name: "bomb-patch",
      files: {
        "app/kustomization.yaml": kustomization({
          resources: ["cm.yaml"],
          patches: [{ path: "patch.yaml" }],
        }),
        "app/cm.yaml": cmText("bomb"),
        "app/patch.yaml": aliasBomb(9),
      },
      expect: /document contains excessive aliasing/,
    },
    {
      name: "huge-file",
      files: {
        "app/kustomization.yaml": kustomization({ resources: ["huge.yaml"] }),
        "app/huge.yaml": cmText("huge", { k: "x".repeat(17 * 1024 * 1024) }),
      },
      expect: /app\/huge\.yaml: file is 17\.0 MiB, over the 16 MiB limit per file/,
    },
    {
      name: "ten-thousand-files",
      files: many,
      expect: /more than 10,000 objects, the limit per build|build did not finish within spec\.timeout 1m0s/,
    },
    {
      name: "deep-nesting",
      files: {
        "app/kustomization.yaml": kustomization({ resources: ["deep.yaml"] }),
        "app/deep.yaml": deepNesting(100_000),
      },
      expect: /app\/deep\.yaml:\d+: malformed YAML: nested too deeply for the YAML parser/,
    },
    {
      name: "remote-base",
      files: {
        "app/kustomization.yaml": kustomization({
          resources: ["git::https://github.com/org/repo.git//app?ref=v1"],
        }),
      },
      expect: /remote bases are not supported: 'git::https:\/\/github\.com\/org\/repo\.git\/\/app\?ref=v1'/,
    },
    {
      name: "symlink-escape",
      files: {
        "app/kustomization.yaml": kustomization({ resources: ["leak.yaml", "cm.yaml"] }),
        "app/leak.yaml": { symlink: "/etc/passwd" },
        "app/cm.yaml": cmText("cm"),
      },
      expect: /'leak\.yaml' does not exist/,
    },
  ];
}

let git: GitServer;
let storage = "";
const stop = new AbortController();
let done: Promise<void> | undefined;
let peakRss = 0;
let sampler: NodeJS.Timeout | undefined;

async function applyObjects(...objects: object[]): Promise<void> {
  const res = await kubectl(["apply", "-f", "-"], objects.map((o) => stringify(o)).join("---\n"));
  if (res.code !== 0) throw new Error(res.stderr);
}

function tenant(name: string, url: string): object[] {
  return [
    {
      ...GR,
      metadata: { name, namespace: ns(), labels },
      spec: { url, interval: "1h", ref: { branch: "main" } },
    },
    {
      ...KS,
      metadata: { name, namespace: ns(), labels },
      spec: {
        interval: "1h",
        timeout: TIMEOUT,
        path: "./app",
        prune: true,
        targetNamespace: ns(),
        sourceRef: { kind: "GitRepository", name },
      },
    },
  ];
}

/**
 * README "Builds and their limits": the controller's baseline plus, per build thread, its heap
 * limit and about 64 MiB of thread overhead.
 */
function documentedRssBound(config: { concurrent: number; buildMaxHeapBytes: number }): number {
  return config.concurrent * (config.buildMaxHeapBytes + 64 * 1024 * 1024);
}
let baselineRss = 0;
let rssBound = 0;

beforeAll(async () => {
  git = await startGitServer();
  storage = await mkdtemp(join(tmpdir(), "hostile-storage-"));
  const { config, running } = await startInProcessController({
    storagePath: storage,
    shard,
    instance: "hostile-test",
    signal: stop.signal,
  });
  done = running.done;
  baselineRss = process.memoryUsage().rss;
  rssBound = documentedRssBound(config);
  sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
}, 120_000);

afterAll(async () => {
  clearInterval(sampler);
  stop.abort();
  await done?.catch(() => undefined);
  await git?.stop();
  if (storage) await rm(storage, { recursive: true, force: true });
});

describe("hostile repositories (issue 14)", () => {
  it("each fails BuildFailed with a clear message while another tenant's commit is applied", async () => {
    const good = await git.createRepo("good", { defaultBranch: "main" });
    await good.commit({
      files: {
        "app/kustomization.yaml": kustomization({ resources: ["cm.yaml"] }),
        "app/cm.yaml": cmText("good", { v: "1" }),
      },
    });
    await applyObjects(...tenant("good", good.url));
    await waitForCondition({ ...KS, name: "good", namespace: ns() }, "Ready", "True", { timeoutMs: 120_000 });

    const cases = hostileCases();
    const started = Date.now();
    for (const c of cases) {
      const repo = await git.createRepo(c.name, { defaultBranch: "main" });
      await repo.commit({ files: c.files, message: c.name });
      await applyObjects(...tenant(c.name, repo.url));
    }
    // While the hostile builds run, the good tenant's new commit lands.
    await good.commit({ files: { "app/cm.yaml": cmText("good", { v: "2" }) } });
    const requested = Date.now();
    const annotate = ["annotate", "--overwrite", "gitrepository", "good", "-n", ns()];
    await kubectl([...annotate, `reconcile.fluxcd.io/requestedAt=${requested}`]);
    await waitForObject(
      { apiVersion: "v1", kind: "ConfigMap", name: "good", namespace: ns() },
      (o) => (o as { data?: { v?: string } }).data?.v === "2",
      { timeoutMs: 120_000 },
    );
    const goodMs = Date.now() - requested;

    const results: { name: string; ms: number; message: string }[] = [];
    for (const c of cases) {
      const ks = await waitForCondition({ ...KS, name: c.name, namespace: ns() }, "Ready", "False", {
        reason: "BuildFailed",
        timeoutMs: TIMEOUT_MS + SOURCE_MARGIN_MS,
      });
      const message = conditionOf(ks, "Ready")?.message ?? "";
      results.push({ name: c.name, ms: Date.now() - started, message });
      expect(message, c.name).toMatch(c.expect);
    }
    const events = await kubectl(["get", "events", "-n", ns(), "-o", "json"]);
    const recorded = (
      JSON.parse(events.stdout) as {
        items: { reason: string; type: string; involvedObject: { name: string } }[];
      }
    ).items;
    for (const c of cases) {
      expect(
        recorded.some(
          (e) => e.involvedObject.name === c.name && e.reason === "BuildFailed" && e.type === "Warning",
        ),
        `${c.name}: a BuildFailed Warning event`,
      ).toBe(true);
    }
    // The controller is still up and reconciling: the good tenant is Ready at the new revision.
    const goodKs = await readObject({ ...KS, name: "good", namespace: ns() });
    expect(conditionOf(goodKs!, "Ready")?.status).toBe("True");

    console.log(
      [
        `hostile repositories: ${cases.length} cases, ${results.length} BuildFailed, 0 crashes`,
        `second tenant's commit applied ${goodMs} ms after it was requested`,
        `peak RSS of the test process (controller, its build threads and vitest): ${Math.round(peakRss / 1024 / 1024)} MiB (baseline ${Math.round(baselineRss / 1024 / 1024)} MiB, documented bound above it ${Math.round(rssBound / 1024 / 1024)} MiB)`,
        ...results.map(
          (r) =>
            `  ${r.name}: BuildFailed seen ${r.ms} ms after the hostile repositories were pushed: ${r.message.slice(0, 160)}`,
        ),
      ].join("\n"),
    );
    expect(peakRss - baselineRss, "peak RSS above the baseline").toBeLessThanOrEqual(rssBound);
  }, 600_000);
});
