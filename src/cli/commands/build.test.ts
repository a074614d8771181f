import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../program.js";

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "mooring-build-test-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function cli(args: string[]) {
  const out = { stdout: "", stderr: "" };
  const code = await runCli(args, {
    stdout: (t) => (out.stdout += t),
    stderr: (t) => (out.stderr += t),
    tty: false,
    env: {},
  });
  return { code, ...out };
}

const KS = (extra: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef: {kind: GitRepository, name: repo}
${extra}`;

describe("mooring build", () => {
  it("prints what kubectl kustomize prints for a plain directory", async () => {
    const demo = resolve(import.meta.dirname, "../../../examples/demo/overlays/prod");
    const result = await cli(["build", demo]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(execFileSync("kubectl", ["kustomize", demo], { encoding: "utf8" }));
  });

  it("renders as a Kustomization would: generated kustomization, targetNamespace, substitution from local manifests", async () => {
    const dir = tree({
      "repo/apps/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  greeting: ${greeting}\n  region: ${region:=eu}\n  token: ${token}\n",
      "ks.yaml": KS(
        "  targetNamespace: prod\n  postBuild:\n    substitute: {greeting: hello}\n    substituteFrom:\n      - kind: Secret\n        name: creds\n",
      ),
      "secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {token: s3cr3t}\n",
    });
    const result = await cli([
      "build",
      join(dir, "repo"),
      "--kustomization",
      join(dir, "ks.yaml"),
      "--substitute-from",
      join(dir, "secret.yaml"),
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "apiVersion: v1\ndata:\n  greeting: hello\n  region: eu\n  token: s3cr3t\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: prod\n",
    );
  });

  it("fails with the variable and the object named, and prints nothing", async () => {
    const dir = tree({
      "repo/apps/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  greeting: ${greeting}\n",
      "ks.yaml": KS("  postBuild:\n    substitute: {other: x}\n"),
    });
    const result = await cli(["build", join(dir, "repo"), "--kustomization", join(dir, "ks.yaml")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/greeting/);
    expect(result.stderr).toMatch(/ConfigMap\/app/);
  });

  it("fails when spec.path does not exist, and on malformed YAML naming the file", async () => {
    const missing = tree({ "repo/other/cm.yaml": "kind: ConfigMap\n", "ks.yaml": KS("") });
    const r1 = await cli(["build", join(missing, "repo"), "--kustomization", join(missing, "ks.yaml")]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain("kustomization path not found");
    const broken = tree({
      "app/kustomization.yaml": "resources:\n  - cm.yaml\n",
      "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: [oops\n",
    });
    const r2 = await cli(["build", join(broken, "app")]);
    expect(r2.code).toBe(1);
    expect(r2.stdout).toBe("");
    expect(r2.stderr).toContain("cm.yaml");
  });
});
