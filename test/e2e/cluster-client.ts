/** kubectl, git and in-cluster HTTP helpers for the kind e2e, bound to one kubeconfig. */
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { must } from "../../src/dev/containers/docker.js";
import { run } from "../../src/dev/go-build/exec.js";
import { GIT_IMAGE, GIT_NAMESPACE } from "../../src/dev/kind/demo.js";

/** A Kubernetes object as kubectl prints it in JSON. */
export interface Json {
  metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: Condition[] };
}

/** One status condition. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** Cluster access for the e2e steps. */
export class ClusterClient {
  constructor(
    readonly kubeconfig: string,
    readonly repoRoot: string,
  ) {}

  private get env(): NodeJS.ProcessEnv {
    return { ...process.env, KUBECONFIG: this.kubeconfig };
  }

  /** `kubectl <args>`; throws with kubectl's output on failure. */
  kubectl(...args: string[]): Promise<string> {
    return must(`kubectl ${args.join(" ")}`, "kubectl", args, { env: this.env });
  }

  /** Applies a YAML stream server-side. */
  async apply(yaml: string): Promise<void> {
    await must("kubectl apply", "sh", ["-c", 'printf "%s" "$MANIFESTS" | kubectl apply --server-side -f -'], {
      env: { ...this.env, MANIFESTS: yaml },
    });
  }

  /** The object as JSON, or undefined when it does not exist. */
  async get(resource: string, name: string, namespace?: string): Promise<Json | undefined> {
    const args = ["get", resource, name, "-o", "json", ...(namespace ? ["-n", namespace] : [])];
    const result = await run("kubectl", args, { env: this.env });
    if (result.code === 0) return JSON.parse(result.stdout) as Json;
    if (/NotFound|not found/.test(result.stderr)) return undefined;
    throw new Error(`kubectl ${args.join(" ")} failed: ${result.stderr.trim()}`);
  }

  /** Objects matching a label selector. */
  async list(resource: string, selector: string, namespace?: string): Promise<Json[]> {
    const ns = namespace ? ["-n", namespace] : ["-A"];
    const out = await this.kubectl("get", resource, "-l", selector, "-o", "json", ...ns);
    return (JSON.parse(out) as { items: Json[] }).items;
  }

  /** `mooring <args>` from this checkout, against the cluster. */
  mooring(...args: string[]): Promise<string> {
    return must(
      `mooring ${args.join(" ")}`,
      "npx",
      ["tsx", "src/cli/bin.ts", ...args, "--kubeconfig", this.kubeconfig],
      {
        cwd: this.repoRoot,
        env: this.env,
      },
    );
  }

  /**
   * Runs `node -e script` in a short-lived pod (the git server image has Node) and returns its
   * output: HTTP through Services and cluster DNS, as another workload sees them.
   */
  async inClusterNode(name: string, script: string): Promise<string> {
    await this.kubectl(
      "-n",
      GIT_NAMESPACE,
      "run",
      name,
      `--image=${GIT_IMAGE}`,
      "--image-pull-policy=Never",
      "--restart=Never",
      "--command",
      "--",
      "node",
      "-e",
      script,
    );
    await until(
      `pod ${name} to finish`,
      async () => {
        const pod = await this.get("pod", name, GIT_NAMESPACE);
        return pod?.status?.phase === "Succeeded" || pod?.status?.phase === "Failed";
      },
      120_000,
    );
    const pod = await this.get("pod", name, GIT_NAMESPACE);
    const logs = await this.kubectl("-n", GIT_NAMESPACE, "logs", name);
    await this.kubectl("-n", GIT_NAMESPACE, "delete", "pod", name, "--wait=false");
    if (pod?.status?.phase !== "Succeeded") throw new Error(`pod ${name} failed: ${logs.trim()}`);
    return logs;
  }

  /** `kubectl port-forward` to a Service on a free local port; returns the port and a stop. */
  async portForward(
    namespace: string,
    service: string,
    port: number,
  ): Promise<{ port: number; stop: () => void }> {
    const child = spawn("kubectl", ["-n", namespace, "port-forward", `svc/${service}`, `:${port}`], {
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    let local = 0;
    await until(
      `port-forward to ${namespace}/${service}`,
      async () => {
        local = Number(/127\.0\.0\.1:(\d+)/.exec(out)?.[1] ?? 0);
        if (child.exitCode !== null) throw new Error(`kubectl port-forward exited: ${out.trim()}`);
        return local > 0;
      },
      30_000,
    );
    return { port: local, stop: () => child.kill() };
  }
}

/** Polls `probe` until it returns true; throws naming `what` at the deadline. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? ` (last error: ${last.message})` : "";
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${why}`);
    }
    await sleep(500);
  }
}

/** The condition of a type, if set. */
export const condition = (obj: Json | undefined, type: string): Condition | undefined =>
  obj?.status?.conditions?.find((c) => c.type === type);
