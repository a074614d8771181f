/**
 * `flux check`, `flux version` and `flux logs` against mooring installed from deploy/ with
 * `mooring install` (issue 15, item 4). They find controllers and CRDs by the label
 * `app.kubernetes.io/part-of=flux`, in the namespace given with `-n` (default `flux-system`);
 * mooring installs into `mooring-system`. The local control plane runs no kubelet, so the test
 * writes the Deployment's status as the deployment controller would, and there are no pods to
 * read logs from.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { ensureFluxCli, FLUX_CLI_VERSION } from "../../src/dev/flux/build.js";
import {
  availableDeploymentStatus,
  eventually,
  kubeconfigPath,
  kubectl,
  readObject,
} from "../support/kube.js";

const NAMESPACE = "mooring-system";
const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../package.json"), "utf8")) as {
  version: string;
};
let flux = "";

function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn(flux, args, { env: { ...process.env, KUBECONFIG: kubeconfigPath() } });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("close", (code) => done({ code: code ?? 1, out }));
  });
}

async function mooring(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await runCli([...argv, "--kubeconfig", kubeconfigPath()], {
    stdout: (t) => (out += t),
    stderr: (t) => (out += t),
    tty: false,
    env: {},
  });
  return { code, out };
}

/** What the deployment controller and kubelet would write once the pod is up. */
async function markDeploymentAvailable(): Promise<void> {
  const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "mooring", namespace: NAMESPACE };
  const d = (await readObject(ref)) as { metadata: { generation: number } };
  const status = availableDeploymentStatus(d.metadata.generation);
  const args = ["-n", NAMESPACE, "patch", "deployment", "mooring", "--subresource=status", "--type=merge"];
  const res = await kubectl([...args, "-p", JSON.stringify({ status })]);
  if (res.code !== 0) throw new Error(res.stderr);
}

beforeAll(async () => {
  flux = await ensureFluxCli({
    cacheRoot: join(mooringCacheDir(process.env), "flux-cli"),
    log: (l) => console.log(l),
  });
  // Another suite may have just uninstalled mooring: wait until its namespace is gone or active.
  await eventually(
    "mooring-system is not terminating",
    async () => {
      const nsObj = (await readObject({ apiVersion: "v1", kind: "Namespace", name: NAMESPACE })) as
        { status?: { phase?: string } } | undefined;
      return nsObj === undefined || nsObj.status?.phase === "Active" ? true : undefined;
    },
    undefined,
    { timeoutMs: 120_000 },
  );
  const installed = await mooring("install", "--no-wait");
  if (installed.code !== 0) throw new Error(installed.out);
  await markDeploymentAvailable();
}, 900_000);

afterAll(async () => {
  await mooring("uninstall", "--yes");
});

describe("flux CLI health commands against an installed mooring (issue 15)", () => {
  it("flux check -n mooring-system passes: Kubernetes version, controllers, CRDs", async () => {
    const { code, out } = await run(["check", "-n", NAMESPACE]);
    expect(out).toMatch(/✔ Kubernetes 1\.37\.\d+ >=1\.33\.0-0/);
    expect(out).toContain(`✔ distribution: flux-mooring-v${pkg.version}`);
    expect(out).toContain(`► mooring:${pkg.version}`);
    expect(out).toContain("✔ gitrepositories.source.toolkit.fluxcd.io/v1");
    expect(out).toContain("✔ kustomizations.kustomize.toolkit.fluxcd.io/v1");
    expect(out).toContain("✔ all checks passed");
    expect(code).toBe(0);
  });

  it("flux check without -n looks in flux-system, where mooring is not installed, and says so", async () => {
    const { code, out } = await run(["check", "--timeout", "20s"]);
    expect(out).toContain(
      "✗ no controllers found in the 'flux-system' namespace with the label selector 'app.kubernetes.io/part-of=flux'",
    );
    expect(code).toBe(1);
  });

  it("flux version -n mooring-system reports the CLI, mooring's distribution and image tag", async () => {
    const { code, out } = await run(["version", "-n", NAMESPACE, "-o", "json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      flux: FLUX_CLI_VERSION,
      distribution: `flux-mooring-v${pkg.version}`,
      mooring: pkg.version,
    });
  });

  it("flux logs --flux-namespace mooring-system finds mooring's pod through its Deployment", async () => {
    const none = await run(["logs", "--flux-namespace", NAMESPACE, "-n", NAMESPACE]);
    expect(none.out).toContain(`no Flux pods found in namespace "${NAMESPACE}"`);
    expect(none.code).toBe(1);
    // A pod of the Deployment, as its ReplicaSet would create it. With no kubelet it never runs, so
    // it has no log lines: flux finds it (no "no Flux pods found") and has nothing to print. The
    // kind e2e reads a running pod's log lines.
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "mooring-probe",
        namespace: NAMESPACE,
        labels: { "app.kubernetes.io/name": "mooring" },
      },
      spec: {
        serviceAccountName: "mooring",
        // deploy/'s namespace enforces the restricted Pod Security Standard, as the Deployment does.
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "manager",
            image: `mooring:${pkg.version}`,
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          },
        ],
      },
    };
    const created = await kubectl(["apply", "-f", "-"], JSON.stringify(pod));
    expect(created.code, created.stderr).toBe(0);
    const { code, out } = await run(["logs", "--flux-namespace", NAMESPACE, "-n", NAMESPACE]);
    expect(out).not.toContain("no Flux pods found");
    expect(out).toBe("");
    expect(code).toBe(0);
  });
});
