/**
 * Test support for OCIRepository: the real registry (built once from distribution's Go module),
 * and a plain OCI client that pushes artifacts the way `flux push artifact` lays them out (a
 * Flux config blob, one tar.gz content layer, `org.opencontainers.image.*` annotations), or
 * with any layers a test wants.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Agent, type Dispatcher, request } from "undici";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { ensureRegistry, type RegistryBinaries } from "../../src/dev/oci-registry/build.js";
import { archiveDirectory } from "../../src/source/archive.js";

/** Flux's media types for `flux push artifact`. */
export const FLUX_CONFIG_MEDIA_TYPE = "application/vnd.cncf.flux.config.v1+json";
export const FLUX_CONTENT_MEDIA_TYPE = "application/vnd.cncf.flux.content.v1.tar+gzip";

/** The registry binaries, built on first use into the mooring cache. */
export function registryBinaries(): Promise<RegistryBinaries> {
  return ensureRegistry({
    cacheRoot: join(mooringCacheDir(process.env), "oci-registry"),
    log: (l) => console.log(l),
  });
}

/** Where and how to push. */
export interface PushTarget {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly repository: string;
  readonly user?: string;
  readonly password?: string;
  /** A bearer token sent as is (a registry behind a token service). */
  readonly bearer?: string;
  /** TLS: the CA and a client certificate. */
  readonly tls?: { ca: string; cert?: string; key?: string };
}

/** A layer to push: its bytes and media type. */
export interface LayerSpec {
  readonly mediaType: string;
  readonly data: Buffer;
}

const sha256 = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

function client(t: PushTarget): { base: string; headers: Record<string, string>; dispatcher?: Dispatcher } {
  const headers: Record<string, string> =
    t.bearer !== undefined
      ? { authorization: `Bearer ${t.bearer}` }
      : t.user === undefined
        ? {}
        : { authorization: `Basic ${Buffer.from(`${t.user}:${t.password ?? ""}`).toString("base64")}` };
  if (t.tls === undefined) return { base: `http://${t.host}`, headers };
  const dispatcher = new Agent({
    connect: { ca: t.tls.ca, ...(t.tls.cert ? { cert: t.tls.cert, key: t.tls.key } : {}) },
  });
  return { base: `https://${t.host}`, headers, dispatcher };
}

async function pushBlob(t: PushTarget, data: Buffer): Promise<string> {
  const c = client(t);
  const digest = sha256(data);
  const opts = c.dispatcher ? { dispatcher: c.dispatcher } : {};
  const start = await request(`${c.base}/v2/${t.repository}/blobs/uploads/`, {
    ...opts,
    method: "POST",
    headers: c.headers,
  });
  await start.body.dump();
  if (start.statusCode !== 202) throw new Error(`blob upload start: status ${start.statusCode}`);
  const location = new URL(String(start.headers.location), c.base);
  location.searchParams.set("digest", digest);
  const put = await request(location, {
    ...opts,
    method: "PUT",
    headers: { ...c.headers, "content-type": "application/octet-stream" },
    body: data,
  });
  await put.body.dump();
  if (put.statusCode !== 201) throw new Error(`blob upload: status ${put.statusCode}`);
  return digest;
}

/** Pushes a manifest with these layers under `tag`; returns the manifest digest. */
export async function pushLayers(
  t: PushTarget,
  tag: string,
  layers: readonly LayerSpec[],
  annotations: Record<string, string> = {},
): Promise<string> {
  return pushManifest(t, tag, {
    config: { mediaType: FLUX_CONFIG_MEDIA_TYPE, data: Buffer.from("{}") },
    layers,
    annotations,
  });
}

/** Helm's OCI media types (what `helm push` writes). */
export const HELM_CONFIG_MEDIA_TYPE = "application/vnd.cncf.helm.config.v1+json";
export const HELM_CHART_MEDIA_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/**
 * Pushes a Helm chart as `helm push` lays it out (chart metadata as the config, the packaged
 * chart as the one layer) under `tag` = the chart version; returns the manifest digest.
 */
export async function pushHelmChart(
  t: PushTarget,
  chart: {
    readonly name: string;
    readonly version: string;
    readonly files: Readonly<Record<string, string>>;
  },
): Promise<string> {
  const metadata = { apiVersion: "v2", name: chart.name, version: chart.version };
  const packaged = await tarGz(
    Object.fromEntries(
      Object.entries(chart.files).map(([path, content]) => [`${chart.name}/${path}`, content]),
    ),
  );
  return pushManifest(t, chart.version, {
    config: { mediaType: HELM_CONFIG_MEDIA_TYPE, data: Buffer.from(JSON.stringify(metadata)) },
    layers: [{ mediaType: HELM_CHART_MEDIA_TYPE, data: packaged }],
    annotations: {},
  });
}

async function pushManifest(
  t: PushTarget,
  tag: string,
  parts: { config: LayerSpec; layers: readonly LayerSpec[]; annotations: Record<string, string> },
): Promise<string> {
  const { layers, annotations } = parts;
  const config = parts.config.data;
  const configDigest = await pushBlob(t, config);
  const layerDescs = [];
  for (const l of layers) {
    layerDescs.push({ mediaType: l.mediaType, digest: await pushBlob(t, l.data), size: l.data.length });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: parts.config.mediaType, digest: configDigest, size: config.length },
      layers: layerDescs,
      annotations,
    }),
  );
  const c = client(t);
  const res = await request(`${c.base}/v2/${t.repository}/manifests/${tag}`, {
    ...(c.dispatcher ? { dispatcher: c.dispatcher } : {}),
    method: "PUT",
    headers: { ...c.headers, "content-type": "application/vnd.oci.image.manifest.v1+json" },
    body: manifest,
  });
  await res.body.dump();
  if (res.statusCode !== 201) throw new Error(`manifest upload: status ${res.statusCode}`);
  return sha256(manifest);
}

/** A tar.gz of `files` (path → content), reproducible (archive.ts). */
export async function tarGz(files: Readonly<Record<string, string>>): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "mooring-oci-push-"));
  try {
    const root = join(dir, "root");
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
    await mkdir(root, { recursive: true });
    await archiveDirectory(root, join(dir, "out.tar.gz"));
    return await readFile(join(dir, "out.tar.gz"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Pushes `files` as a Flux artifact (one content layer) under `tag`; returns the manifest digest. */
export async function pushFiles(
  t: PushTarget,
  tag: string,
  files: Readonly<Record<string, string>>,
  annotations: Record<string, string> = {},
): Promise<string> {
  return pushLayers(t, tag, [{ mediaType: FLUX_CONTENT_MEDIA_TYPE, data: await tarGz(files) }], annotations);
}
