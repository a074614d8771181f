/**
 * Issue 16: `spec.pathPattern` expands `spec.artifacts` once per matched directory, as
 * source-watcher does: names and labels lowercased, copy paths as found, and the terminal errors
 * (invalid captured value, two directories giving one name) stall with BuildFailed.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ArtifactGenerator } from "../api/index.js";
import { StallingError } from "../runtime/errors.js";
import { outputRequests, renderTemplate } from "./path-pattern.js";

let root = "";
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "path-pattern-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const dirs = async (...paths: string[]): Promise<void> => {
  for (const p of paths) await mkdir(join(root, p), { recursive: true });
};

const generator = (pathPattern: string): ArtifactGenerator => ({
  apiVersion: "source.extensions.fluxcd.io/v1beta1",
  kind: "ArtifactGenerator",
  metadata: { name: "g", namespace: "apps" },
  spec: {
    sources: [{ alias: "mono", kind: "GitRepository", name: "mono" }],
    pathPattern,
    artifacts: [
      { name: "{app}-{env}", copy: [{ from: "@mono/apps/{app}/envs/{env}/**", to: "@artifact/{env}/" }] },
    ],
  },
});

describe("pathPattern", () => {
  it("one output per matched directory: names and labels lowercased, copy paths as found", async () => {
    await dirs("apps/Auth/envs/dev", "apps/payments/envs/prod", "apps/payments/base", "other/x");
    const requests = await outputRequests(
      generator("@mono/apps/{app}/envs/{env}"),
      new Map([["mono", root]]),
    );
    expect(requests).toEqual([
      {
        output: { name: "auth-dev", copy: [{ from: "@mono/apps/Auth/envs/dev/**", to: "@artifact/dev/" }] },
        labels: { app: "auth", env: "dev" },
      },
      {
        output: {
          name: "payments-prod",
          copy: [{ from: "@mono/apps/payments/envs/prod/**", to: "@artifact/prod/" }],
        },
        labels: { app: "payments", env: "prod" },
      },
    ]);
  });

  it("without a pathPattern the artifacts are taken as written", async () => {
    const ag = generator("");
    expect(await outputRequests(ag, new Map())).toEqual([{ output: ag.spec.artifacts[0], labels: {} }]);
  });

  it("stalls with BuildFailed on two directories giving one name, and on an invalid captured value", async () => {
    await dirs("apps/Auth/envs/dev", "apps/auth/envs/dev");
    const collide = outputRequests(generator("@mono/apps/{app}/envs/{env}"), new Map([["mono", root]]));
    await expect(collide).rejects.toBeInstanceOf(StallingError);
    await expect(collide).rejects.toThrow(
      /directories "apps\/Auth\/envs\/dev" and "apps\/auth\/envs\/dev" both resolve to artifact name "auth-dev"/,
    );
    await rm(root, { recursive: true });
    await dirs("apps/.hidden/envs/dev");
    await expect(
      outputRequests(generator("@mono/apps/{app}/envs/{env}"), new Map([["mono", root]])),
    ).rejects.toThrow(/captured value ".hidden" for variable "app" is not a valid Kubernetes label value/);
  });

  it("renders templates and refuses undefined variables", () => {
    expect(renderTemplate("{a}/x/{b}", { a: "1", b: "2" })).toBe("1/x/2");
    expect(() => renderTemplate("{c}", { a: "1" })).toThrow(
      /capture variable "c" is not defined by pathPattern/,
    );
  });
});
