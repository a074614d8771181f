/** The images the kind e2e loads: mooring (two tags, for the upgrade), the git server, the demo app. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerBuild } from "../../src/dev/containers/docker.js";
import {
  buildProjectImages,
  DEMO_APP_IMAGE,
  ensureDemoAppImage,
} from "../../src/dev/containers/project-images.js";
import { GIT_DOCKERFILE, GIT_IMAGE, MOORING_IMAGE } from "../../src/dev/kind/demo.js";

/** The upgrade target: the same build under a new tag, with its own image ID. */
export const MOORING_UPGRADE_IMAGE = "mooring:0.1.1-e2e";

/** Tags built for the e2e. */
export interface E2eImages {
  mooring: string;
  upgrade: string;
  all: string[];
}

/** Builds every image of the e2e (base images pulled or stood in first). */
export async function buildE2eImages(options: {
  repoRoot: string;
  cacheDir: string;
  log: (line: string) => void;
}): Promise<E2eImages> {
  const pkg = JSON.parse(
    await readFile(join(options.repoRoot, "node_modules", "node", "package.json"), "utf8"),
  ) as {
    version: string;
  };
  const imageOptions = { ...options, nodeVersion: pkg.version };
  await buildProjectImages({ [MOORING_IMAGE]: "Dockerfile", [GIT_IMAGE]: GIT_DOCKERFILE }, imageOptions);
  await ensureDemoAppImage(imageOptions);
  // A label makes a distinct image, so the upgrade really swaps what the kubelet runs.
  const context = await mkdtemp(join(tmpdir(), "mooring-upgrade-"));
  await writeFile(
    join(context, "Dockerfile"),
    `FROM ${MOORING_IMAGE}\nLABEL io.mooring.e2e-upgrade="${MOORING_UPGRADE_IMAGE}"\n`,
  );
  await dockerBuild(`building ${MOORING_UPGRADE_IMAGE}`, ["-t", MOORING_UPGRADE_IMAGE, "."], {
    cwd: context,
  });
  await rm(context, { recursive: true, force: true });
  return {
    mooring: MOORING_IMAGE,
    upgrade: MOORING_UPGRADE_IMAGE,
    all: [MOORING_IMAGE, MOORING_UPGRADE_IMAGE, GIT_IMAGE, DEMO_APP_IMAGE],
  };
}
