/**
 * Issue 4 acceptance, artifact content: `.sourceignore` files and `spec.ignore` exclude what they
 * say (and drop the default excludes), the same commit archived by two processes gives
 * byte-identical tarballs, and `spec.include` copies another GitRepository's artifact (sub)tree.
 * Issue 15: `spec.sparseCheckout` archives only its directories; `spec.recurseSubmodules: true`
 * stalls instead of being recorded as observed.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGunzip } from "node:zlib";
import type { KubernetesObject } from "@kubernetes/client-node";
import { extract } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GIT_REPOSITORY } from "../../src/api/index.js";
import { computeStatus } from "../../src/apply/health/kstatus.js";
import { startGitServer, type GitRepo, type GitServer } from "../../src/dev/git-server/index.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";
import type { KubeObject } from "../../src/util/kube-object.js";
import { kubectlOk, randomSuffix, testKubeConfig, useTestNamespace, waitForObject } from "../support/kube.js";
import { namespacedObjects } from "../support/flux-objects.js";

const ns = useTestNamespace("gitrepo-content");
const shard = randomSuffix();
const LABEL = "mooring.test/shard";
const root = join(import.meta.dirname, "..", "..");
let git: GitServer;
let source: SourceHarness;
let repo: GitRepo;
let head = "";
let scratch = "";

type Artifact = { url: string; digest: string; revision: string };
type Obj = KubernetesObject & {
  status?: {
    artifact?: Artifact;
    includedArtifacts?: Artifact[];
    observedIgnore?: string;
    conditions?: { type: string; status: string }[];
  };
};

const { ref, apply: applyRepo } = namespacedObjects(GIT_REPOSITORY, ns, { [LABEL]: shard });

async function readyWith(name: string, check: (o: Obj) => boolean = () => true): Promise<Obj> {
  const obj = await waitForObject<Obj>(
    ref(name),
    (o: Obj) =>
      o.status?.conditions?.find((c) => c.type === "Ready")?.status === "True" &&
      o.metadata?.generation === (o.status as { observedGeneration?: number }).observedGeneration &&
      check(o),
  );
  expect(computeStatus(obj as KubeObject, { now: Date.now() }).status).toBe("Current");
  return obj;
}

async function entriesOf(url: string): Promise<string[]> {
  const res = await fetch(url);
  const file = join(scratch, `${randomSuffix()}.tar.gz`);
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  const names: string[] = [];
  const ex = extract();
  ex.on("entry", (h, stream, next) => {
    names.push(h.name);
    stream.on("end", () => next());
    stream.resume();
  });
  await pipeline(createReadStream(file), createGunzip(), ex);
  return names;
}

beforeAll(async () => {
  await kubectlOk([
    "apply",
    "--server-side",
    "--force-conflicts",
    "--field-manager=mooring-tests",
    "-k",
    join(root, "crds"),
  ]);
  await kubectlOk(["wait", "--for=condition=Established", "--timeout=60s", `crd/${GIT_REPOSITORY.crdName}`]);
  scratch = await mkdtemp(join(tmpdir(), "gitrepo-content-"));
  git = await startGitServer();
  source = await startSourceController(testKubeConfig(), { labelSelector: `${LABEL}=${shard}` });
  repo = await git.createRepo("content");
  head = await repo.commit({
    files: {
      "apps/app.yaml": "a: 1\n",
      "apps/notes.md": "# notes\n",
      "apps/.sourceignore": "*.md\n",
      "infra/db.yaml": "d: 1\n",
      "infra/secret.enc.yaml": "s: 1\n",
      "logo.png": "png",
      ".github/workflows/ci.yaml": "on: push\n",
      "README.md": "# top\n",
      "run.sh": { content: "#!/bin/sh\n", executable: true },
      link: { symlink: "/etc/passwd" },
    },
  });
});

afterAll(async () => {
  await source?.stop();
  await git?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe("GitRepository artifact content (issue 4)", () => {
  it("applies .sourceignore scoped to its directory and drops the default excludes", async () => {
    await applyRepo("scoped", { url: repo.url, interval: "10m", ref: { branch: "main" } });
    const names = await entriesOf((await readyWith("scoped")).status!.artifact!.url);
    expect(names).toContain("apps/app.yaml");
    expect(names).toContain("README.md");
    expect(names).not.toContain("apps/notes.md");
    expect(names).toContain("logo.png");
    expect(names).toContain(".github/workflows/ci.yaml");
    expect(names).not.toContain("link");
    expect(names[0]).toBe(".");
  });

  it("adds spec.ignore after the .sourceignore rules, and rebuilds when it changes", async () => {
    await applyRepo("scoped", {
      url: repo.url,
      interval: "10m",
      ref: { branch: "main" },
      ignore: "/infra/*.enc.yaml\n!apps/notes.md\n",
    });
    const obj = await readyWith("scoped", (o) => o.status?.observedIgnore !== undefined);
    const names = await entriesOf(obj.status!.artifact!.url);
    expect(names).not.toContain("infra/secret.enc.yaml");
    expect(names).toContain("infra/db.yaml");
    expect(names).toContain("apps/notes.md");
  });

  it("archives the same commit byte-identically in two processes", async () => {
    await applyRepo("repro", { url: repo.url, interval: "10m", ref: { branch: "main" } });
    const obj = await readyWith("repro");
    const run = promisify(execFile);
    const outputs: string[] = [];
    for (const i of [1, 2]) {
      const out = join(scratch, `repro-${i}.tar.gz`);
      await run("npx", ["tsx", join(root, "bench", "git-archive.ts"), repo.url, "main", out], { cwd: root });
      outputs.push(out);
    }
    const [a, b] = await Promise.all(outputs.map((p) => readFile(p)));
    expect(a!.equals(b!)).toBe(true);
    expect(`sha256:${createHash("sha256").update(a!).digest("hex")}`).toBe(obj.status!.artifact!.digest);
    expect(obj.status!.artifact!.revision).toBe(`main@sha1:${head}`);
  });

  it("includes another GitRepository's artifact at toPath", async () => {
    const lib = await git.createRepo("lib");
    await lib.commit({ files: { "base/service.yaml": "s: 1\n", "other/x.yaml": "x: 1\n" } });
    await applyRepo("lib", { url: lib.url, interval: "10m", ref: { branch: "main" } });
    await applyRepo("with-include", {
      url: repo.url,
      interval: "10m",
      ref: { branch: "main" },
      include: [
        { repository: { name: "lib" }, fromPath: "base", toPath: "vendor/lib" },
        { repository: { name: "lib" } },
      ],
    });
    const obj = await readyWith("with-include", (o) => (o.status?.includedArtifacts ?? []).length === 2);
    const names = await entriesOf(obj.status!.artifact!.url);
    expect(names).toContain("vendor/lib/service.yaml");
    expect(names).not.toContain("vendor/lib/other/x.yaml");
    expect(names).toContain("lib/other/x.yaml");
    expect(names).toContain("apps/app.yaml");
  });

  it("waits with IncludeUnavailable while an included repository is missing", async () => {
    await applyRepo("missing-include", {
      url: repo.url,
      interval: "10m",
      ref: { branch: "main" },
      include: [{ repository: { name: "nope" } }],
    });
    const obj = await waitForObject<Obj>(
      ref("missing-include"),
      (o: Obj) =>
        o.status?.conditions?.some((c) => c.type === "IncludeUnavailable" && c.status === "True") === true,
    );
    const ready = (
      obj.status as { conditions: { type: string; status: string; reason: string }[] }
    ).conditions.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "NotFound" });
  });

  it("spec.sparseCheckout archives only the listed directories (issue 15)", async () => {
    await applyRepo("sparse", {
      url: repo.url,
      interval: "10m",
      ref: { branch: "main" },
      sparseCheckout: ["infra"],
    });
    const obj = await readyWith("sparse");
    const names = await entriesOf(obj.status!.artifact!.url);
    expect(names).toContain("infra/db.yaml");
    expect(names).not.toContain("apps/app.yaml");
    expect(names).not.toContain("README.md");
    expect((obj.status as { observedSparseCheckout?: string[] }).observedSparseCheckout).toEqual(["infra"]);
  });

  it("spec.recurseSubmodules: true stalls, says what to do, and is never recorded as observed (issue 15)", async () => {
    await applyRepo("submodules", {
      url: repo.url,
      interval: "10m",
      ref: { branch: "main" },
      recurseSubmodules: true,
    });
    const obj = await waitForObject<Obj>(
      ref("submodules"),
      (o: Obj) => o.status?.conditions?.some((c) => c.type === "Stalled" && c.status === "True") === true,
    );
    const conditions = (
      obj.status as { conditions: { type: string; status: string; reason: string; message: string }[] }
    ).conditions;
    const ready = conditions.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "UnsupportedField" });
    expect(ready?.message).toMatch(/^spec\.recurseSubmodules is not supported by mooring: set it to false/);
    expect(computeStatus(obj as KubeObject, { now: Date.now() }).status).toBe("Failed");
    expect(obj.status?.artifact).toBeUndefined();
    expect((obj.status as { observedRecurseSubmodules?: boolean }).observedRecurseSubmodules).not.toBe(true);
  });
});
