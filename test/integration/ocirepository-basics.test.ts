/**
 * Issue 16, item 1: OCIRepository against a real registry (CNCF distribution, built from its Go
 * module, on 127.0.0.1 with htpasswd basic auth), artifacts pushed by a plain OCI client in the
 * layout `flux push artifact` writes. A tag becomes Ready with a downloadable artifact matching
 * its digest and the manifest's annotations; an unchanged digest costs one manifest HEAD; a new
 * digest is picked up; a digest ref, a semver range (with semverFilter), a missing tag, the layer
 * selector (mediaType, copy), ignore, interval, timeout and suspend behave as in Flux.
 */
import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeStatus } from "../../src/apply/health/kstatus.js";
import { startRegistry, type Registry } from "../../src/dev/oci-registry/registry.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";
import type { KubeObject } from "../../src/util/kube-object.js";
import {
  conditionOf,
  kubectlOk,
  randomSuffix,
  readObject,
  testKubeConfig,
  useTestNamespace,
  waitForCondition,
  waitForObject,
} from "../support/kube.js";
import {
  FLUX_CONTENT_MEDIA_TYPE,
  pushFiles,
  pushLayers,
  registryBinaries,
  tarGz,
  type PushTarget,
} from "../support/oci.js";
import { type OciRepo, ociRepositories, registryLogged } from "../support/oci-repository.js";

const ns = useTestNamespace("ocirepo-basics");
const shard = randomSuffix();
const LABEL = "mooring.test/shard";
const USER = "pusher";
const PASSWORD = `pw-${randomSuffix(6)}`;
let registry: Registry;
let source: SourceHarness;

type Repo = OciRepo;
const SECRET = "regcred";
const repos = ociRepositories(ns, { [LABEL]: shard }, { secretRef: { name: SECRET } });
const { ref, apply: applyRepo, requestReconcile } = repos;

const target = (repository: string): PushTarget => ({
  host: registry.host,
  repository,
  user: USER,
  password: PASSWORD,
});
const url = (repository: string): string => `oci://${registry.host}/${repository}`;

/** Ready at `revision`, and kstatus agrees (Current). */
async function ready(name: string, revision?: string): Promise<Repo> {
  const obj = await repos.ready(name, revision);
  expect(computeStatus(obj as KubeObject, { now: Date.now() }).status).toBe("Current");
  return obj;
}

async function download(artifactUrl: string): Promise<Buffer> {
  const res = await fetch(artifactUrl);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const sha256 = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function eventsOf(name: string): Promise<{ reason: string; message: string }[]> {
  const out = await kubectlOk([
    "get",
    "events",
    "-n",
    ns(),
    "-o",
    "json",
    "--field-selector",
    `involvedObject.name=${name}`,
  ]);
  return (JSON.parse(out) as { items: { reason: string; message: string }[] }).items;
}

const CM = (name: string, value: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;

beforeAll(async () => {
  registry = await startRegistry(await registryBinaries(), { users: { [USER]: PASSWORD } });
  source = await startSourceController(testKubeConfig(), {
    labelSelector: `${LABEL}=${shard}`,
    retentionRecords: 1,
    retentionTtlMs: 0,
  });
  await kubectlOk([
    "create",
    "secret",
    "docker-registry",
    SECRET,
    "-n",
    ns(),
    `--docker-server=${registry.host}`,
    `--docker-username=${USER}`,
    `--docker-password=${PASSWORD}`,
  ]);
});

afterAll(async () => {
  await source?.stop();
  await registry?.stop();
});

describe("OCIRepository against a real registry (issue 16)", () => {
  let firstDigest = "";

  it("a tag becomes Ready with a downloadable artifact, the manifest's annotations and Flux's revision", async () => {
    firstDigest = await pushFiles(
      target("apps/demo"),
      "latest",
      { "deploy/cm.yaml": CM("demo", "1") },
      {
        "org.opencontainers.image.source": "https://example.com/repo.git",
        "org.opencontainers.image.revision": "main@sha1:1111111111111111111111111111111111111111",
      },
    );
    await applyRepo("tag", { url: url("apps/demo") });
    const obj = await ready("tag", `latest@${firstDigest}`);
    const art = obj.status!.artifact!;
    expect(art.path).toBe(`ocirepository/${ns()}/tag/${firstDigest}.tar.gz`);
    const bytes = await download(art.url);
    expect(sha256(bytes)).toBe(art.digest);
    expect(bytes.length).toBe(art.size);
    expect(art.metadata).toEqual({
      "org.opencontainers.image.source": "https://example.com/repo.git",
      "org.opencontainers.image.revision": "main@sha1:1111111111111111111111111111111111111111",
    });
    expect(obj.metadata.finalizers).toContain("finalizers.fluxcd.io");
    expect(conditionOf(obj, "ArtifactInStorage")).toMatchObject({
      status: "True",
      message: `stored artifact for digest 'latest@${firstDigest}'`,
    });
    const events = await eventsOf("tag");
    expect(events.find((e) => e.reason === "NewArtifact")?.message).toBe(
      `stored artifact with revision 'latest@${firstDigest}' from '${url("apps/demo")}', origin source 'https://example.com/repo.git', origin revision 'main@sha1:1111111111111111111111111111111111111111'`,
    );
  });

  it("an unchanged digest costs one manifest HEAD and writes nothing", async () => {
    const before = (await readObject(ref("tag"))) as Repo;
    const dir = source.storage.localPath(`ocirepository/${ns()}/tag`);
    const files = await readdir(dir);
    let seen = registry.requests().length;
    await requestReconcile("tag");
    await registryLogged(registry, seen, "/v2/apps/demo/");
    seen = registry.requests().length;
    const after = await requestReconcile("tag");
    const lines = await registryLogged(registry, seen, "/v2/apps/demo/");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"HEAD /v2/apps/demo/manifests/latest HTTP/1.1" 200');
    expect(after.status?.artifact).toEqual(before.status?.artifact);
    expect(await readdir(dir)).toEqual(files);
  });

  it("a new digest behind the tag is picked up, and the old artifact is collected", async () => {
    const second = await pushFiles(target("apps/demo"), "latest", { "deploy/cm.yaml": CM("demo", "2") });
    await requestReconcile("tag");
    const obj = await ready("tag", `latest@${second}`);
    expect(obj.status?.artifact?.metadata).toBeUndefined();
    const events = await eventsOf("tag");
    expect(events.filter((e) => e.reason === "NewArtifact").map((e) => e.message)).toContain(
      `stored artifact with revision 'latest@${second}' from '${url("apps/demo")}'`,
    );
    await requestReconcile("tag");
    expect(await readdir(source.storage.localPath(`ocirepository/${ns()}/tag`))).toEqual([
      `${second}.tar.gz`,
    ]);
  });

  it("ref.digest pins a manifest: revision is the digest alone", async () => {
    await applyRepo("digest", { url: url("apps/demo"), ref: { digest: firstDigest, tag: "latest" } });
    const obj = await ready("digest", firstDigest);
    expect(obj.status?.artifact?.path).toBe(`ocirepository/${ns()}/digest/${firstDigest}.tar.gz`);
  });

  it("ref.semver picks the highest tag in range; semverFilter narrows the tags first", async () => {
    const t = target("apps/versions");
    await pushFiles(t, "1.0.0", { "v.yaml": CM("v", "1.0.0") });
    const v12 = await pushFiles(t, "v1.2.0", { "v.yaml": CM("v", "1.2.0") });
    const rc = await pushFiles(t, "1.3.0-rc.1", { "v.yaml": CM("v", "1.3.0-rc.1") });
    await pushFiles(t, "2.0.0", { "v.yaml": CM("v", "2.0.0") });
    await applyRepo("semver", { url: url("apps/versions"), ref: { semver: ">=1.0.0 <2.0.0", tag: "2.0.0" } });
    expect((await ready("semver")).status?.artifact?.revision).toBe(`v1.2.0@${v12}`);
    await applyRepo("semver-filter", {
      url: url("apps/versions"),
      ref: { semver: "1.3.0-rc.1", semverFilter: ".*-rc.*" },
    });
    expect((await ready("semver-filter")).status?.artifact?.revision).toBe(`1.3.0-rc.1@${rc}`);
    await applyRepo("semver-none", { url: url("apps/versions"), ref: { semver: ">=3.0.0" } });
    const failed = await waitForCondition<Repo>(ref("semver-none"), "FetchFailed", "True");
    expect(conditionOf(failed, "FetchFailed")).toMatchObject({
      reason: "ReadOperationFailed",
      message: `failed to determine the artifact tag for '${url("apps/versions")}': no match found for semver: >=3.0.0`,
    });
  });

  it("a missing tag fails with FetchFailed OCIArtifactPullFailed and Ready=False, and recovers when pushed", async () => {
    await applyRepo("missing", { url: url("apps/demo"), ref: { tag: "v9" } });
    const failed = await waitForCondition<Repo>(ref("missing"), "Ready", "False");
    const message = `failed to determine artifact digest: GET http://${registry.host}/v2/apps/demo/manifests/v9: MANIFEST_UNKNOWN: manifest unknown`;
    expect(conditionOf(failed, "FetchFailed")).toMatchObject({
      status: "True",
      reason: "OCIArtifactPullFailed",
      message,
    });
    expect(conditionOf(failed, "Ready")).toMatchObject({ reason: "OCIArtifactPullFailed", message });
    expect(conditionOf(failed, "Stalled")).toBeUndefined();
    const digest = await pushFiles(target("apps/demo"), "v9", { "x.yaml": CM("x", "9") });
    await requestReconcile("missing");
    const obj = await ready("missing", `v9@${digest}`);
    expect(conditionOf(obj, "FetchFailed")).toBeUndefined();
  });

  it("layerSelector picks a layer by mediaType; operation copy stores it as it is", async () => {
    const first = await tarGz({ "a.yaml": CM("a", "1") });
    const second = await tarGz({ "b.yaml": CM("b", "1") });
    await pushLayers(target("apps/layers"), "latest", [
      { mediaType: FLUX_CONTENT_MEDIA_TYPE, data: first },
      { mediaType: "application/vnd.example.manifests.tar+gzip", data: second },
    ]);
    const selector = { mediaType: "application/vnd.example.manifests.tar+gzip", operation: "copy" };
    await applyRepo("copy", { url: url("apps/layers"), layerSelector: selector });
    const obj = await ready("copy");
    expect(obj.status?.artifact?.digest).toBe(sha256(second));
    expect(obj.status?.observedLayerSelector).toEqual(selector);
    expect(sha256(await download(obj.status!.artifact!.url))).toBe(sha256(second));
    await applyRepo("no-layer", {
      url: url("apps/layers"),
      layerSelector: { mediaType: "application/x-none" },
    });
    const failed = await waitForCondition<Repo>(ref("no-layer"), "FetchFailed", "True");
    expect(conditionOf(failed, "FetchFailed")).toMatchObject({
      reason: "OCIArtifactLayerOperationFailed",
      message: "failed to find layer with media type 'application/x-none' in artifact",
    });
  });

  it("ignore leaves matching files out of the extracted artifact; a changed ignore rebuilds it", async () => {
    await pushFiles(target("apps/ignore"), "latest", {
      "keep.yaml": CM("k", "1"),
      "drop/secret.yaml": CM("d", "1"),
    });
    await applyRepo("ignore", { url: url("apps/ignore") });
    const all = await ready("ignore");
    await applyRepo("ignore", { url: url("apps/ignore"), ignore: "drop/\n" });
    const some = await waitForObject<Repo>(
      ref("ignore"),
      (o: Repo) => o.status?.artifact?.digest !== all.status?.artifact?.digest,
    );
    expect(some.status?.artifact?.revision).toBe(all.status?.artifact?.revision);
    const bytes = await download(some.status!.artifact!.url);
    const { gunzipSync } = await import("node:zlib");
    const tar = gunzipSync(bytes).toString("latin1");
    expect(tar).toContain("keep.yaml");
    expect(tar).not.toContain("secret.yaml");
  });

  it("interval polls the registry; suspend stops it", async () => {
    await pushFiles(target("apps/poll"), "latest", { "p.yaml": CM("p", "1") });
    await applyRepo("poll", { url: url("apps/poll"), interval: "2s" });
    await ready("poll");
    const next = await pushFiles(target("apps/poll"), "latest", { "p.yaml": CM("p", "2") });
    await ready("poll", `latest@${next}`);
    await applyRepo("poll", { url: url("apps/poll"), interval: "2s", suspend: true });
    await waitForObject<Repo>(
      ref("poll"),
      (o: Repo) => o.status?.observedGeneration === o.metadata.generation,
    );
    await pushFiles(target("apps/poll"), "latest", { "p.yaml": CM("p", "3") });
    // The point: nothing happens for 2.5 intervals while suspended.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(((await readObject(ref("poll"))) as Repo).status?.artifact?.revision).toBe(`latest@${next}`);
  });

  it("timeout bounds a pull from a registry that never answers", async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((ok) => silent.listen(0, "127.0.0.1", () => ok()));
    const port = (silent.address() as AddressInfo).port;
    try {
      await applyRepo("timeout", { url: `oci://127.0.0.1:${port}/apps/demo`, timeout: "2s", insecure: true });
      const failed = await waitForCondition<Repo>(ref("timeout"), "FetchFailed", "True");
      expect(conditionOf(failed, "FetchFailed")?.reason).toBe("OCIArtifactPullFailed");
      expect(conditionOf(failed, "FetchFailed")?.message).toMatch(/aborted|timeout/i);
    } finally {
      silent.close();
    }
  });

  it("deletion removes the stored artifacts and the finalizer", async () => {
    const dir = source.storage.localPath(`ocirepository/${ns()}/digest`);
    expect((await readdir(dir)).length).toBe(1);
    await kubectlOk(["delete", "-n", ns(), "ocirepository", "digest", "--wait=true", "--timeout=30s"]);
    expect(await readObject(ref("digest"))).toBeUndefined();
    await expect(readdir(dir)).rejects.toThrow();
  });
});
