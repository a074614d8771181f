/**
 * The images the kind e2e and the kind quick start run: mooring's own image built from the
 * project's Dockerfile (its base images pulled, or stand-ins where no registry answers), and the
 * demo app's image, pulled where a registry serves it, else a stand-in under the same name (a
 * few lines of Node serving HTTP on the demo's port; podinfo's Go module is not on the proxy).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerBuild, imageExists, tryPull } from "./docker.js";
import { ensureBaseImages } from "./base-images.js";

/** The demo Deployment's image (examples/demo/base/deployment.yaml). */
export const DEMO_APP_IMAGE = "ghcr.io/stefanprodan/podinfo:6.7.0";

/** Options for {@link buildProjectImages}. */
export interface ProjectImageOptions {
  repoRoot: string;
  /** `<mooring cache>/images`. */
  cacheDir: string;
  nodeVersion: string;
  log: (line: string) => void;
}

/** Builds `docker build -f <dockerfile> -t <tag> <repoRoot>` for each entry, base images first. */
export async function buildProjectImages(
  images: Record<string, string>,
  options: ProjectImageOptions,
): Promise<void> {
  await ensureBaseImages(options);
  for (const [tag, dockerfile] of Object.entries(images)) {
    options.log(`images: building ${tag} from ${dockerfile}`);
    await dockerBuild(`building ${tag}`, ["-f", dockerfile, "-t", tag, "."], {
      cwd: options.repoRoot,
      heartbeat: (ms) => options.log(`images: still building ${tag}... ${Math.round(ms / 1000)}s`),
    });
  }
}

/** Makes DEMO_APP_IMAGE available: present, pulled, or a stand-in built on the Node base image. */
export async function ensureDemoAppImage(options: ProjectImageOptions): Promise<void> {
  if ((await imageExists(DEMO_APP_IMAGE)) || (await tryPull(DEMO_APP_IMAGE))) return;
  await ensureBaseImages(options);
  options.log(`images: no registry serves ${DEMO_APP_IMAGE}; building a stand-in`);
  const context = await mkdtemp(join(tmpdir(), "mooring-demo-app-"));
  try {
    await writeFile(join(context, "Dockerfile"), DEMO_STANDIN);
    await dockerBuild(`building the stand-in ${DEMO_APP_IMAGE}`, ["-t", DEMO_APP_IMAGE, "."], {
      cwd: context,
    });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

const DEMO_SERVER =
  "require('node:http').createServer((req, res) => res.end(JSON.stringify({ message: process.env.GREETING ?? '' }) + '\\n')).listen(9898)";

const DEMO_STANDIN = `FROM node:24-bookworm-slim
LABEL io.mooring.stand-in="built locally because no registry answered"
USER node
EXPOSE 9898
CMD ["node", "-e", ${JSON.stringify(DEMO_SERVER)}]
`;
