/**
 * e2e steps about GitOps on a real cluster: the demo's wait:true Kustomization whose Deployment
 * really rolls out, a pushed change, a prune, drift correction, the controller pod killed
 * mid-reconcile, and the flux CLI against the in-cluster install.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { must } from "../../src/dev/containers/docker.js";
import { run as exec } from "../../src/dev/go-build/exec.js";
import { type ClusterClient, condition, type Json, until } from "./cluster-client.js";
import { SYSTEM_NS } from "./steps-controller.js";

const DEMO_NS = "demo";

/** A clone of the in-cluster demo repository, reached through a port-forward. */
export class DemoRepo {
  constructor(readonly dir: string) {}

  /** Edits a file with `edit`, commits and pushes; returns the new commit's sha. */
  async change(path: string, edit: (text: string) => string, message: string): Promise<string> {
    const file = join(this.dir, path);
    const before = await readFile(file, "utf8");
    const after = edit(before);
    assert.notEqual(after, before, `the edit of ${path} changed nothing`);
    await writeFile(file, after);
    await this.git("-c", "user.name=e2e", "-c", "user.email=e2e@example.com", "commit", "-qam", message);
    await this.git("push", "-q");
    return (await this.git("rev-parse", "HEAD")).trim();
  }

  private git(...args: string[]): Promise<string> {
    return must(`git ${args[0]}`, "git", args, { cwd: this.dir });
  }
}

/** The Kustomization's applied revision's sha (`main@sha1:<sha>`). */
const appliedSha = (ks: Json | undefined): string =>
  (typeof ks?.status?.lastAppliedRevision === "string" ? ks.status.lastAppliedRevision : "").replace(
    /^.*sha1:/,
    "",
  );

/** Waits until the Kustomization is Ready at `sha` (or at all, without one). */
export async function waitKustomizationReady(c: ClusterClient, sha?: string): Promise<Json> {
  let ks: Json | undefined;
  await until(
    `Kustomization demo Ready${sha ? ` at ${sha.slice(0, 8)}` : ""}`,
    async () => {
      ks = await c.get("kustomization", "demo", SYSTEM_NS);
      const ready = condition(ks, "Ready");
      return ready?.status === "True" && (!sha || appliedSha(ks) === sha);
    },
    300_000,
  );
  assert.ok(ks);
  return ks;
}

/** The demo Deployment has every replica available, as Running, Ready pods. */
export async function assertRolledOut(c: ClusterClient, replicas: number): Promise<Json> {
  const deploy = await c.get("deployment", "web", DEMO_NS);
  assert.equal(deploy?.spec?.replicas, replicas);
  assert.equal(deploy?.status?.availableReplicas, replicas);
  assert.equal(deploy?.status?.updatedReplicas, replicas);
  const pods = (await c.list("pods", "app.kubernetes.io/name=web", DEMO_NS)).filter(
    (p) => !p.metadata.deletionTimestamp,
  );
  const running = pods.filter(
    (p) => p.status?.phase === "Running" && condition(p, "Ready")?.status === "True",
  );
  assert.equal(running.length, replicas, `expected ${replicas} Running, Ready web pods`);
  return deploy;
}

/** Ready came after the Deployment became Available: the health check watched the rollout. */
export async function assertHealthWaitedForRollout(c: ClusterClient, ks: Json): Promise<void> {
  const deploy = await c.get("deployment", "web", DEMO_NS);
  const available = condition(deploy, "Available");
  assert.equal(available?.status, "True");
  const ready = condition(ks, "Ready");
  assert.ok(ready?.lastTransitionTime && available?.lastTransitionTime);
  assert.ok(
    Date.parse(ready.lastTransitionTime) >= Date.parse(available.lastTransitionTime),
    `Kustomization Ready (${ready.lastTransitionTime}) before the Deployment was Available (${available.lastTransitionTime})`,
  );
}

/** `kubectl scale` drifts the Deployment; with a 1h interval only mooring's watch can undo it. */
export async function assertDriftCorrected(c: ClusterClient, replicas: number): Promise<void> {
  await c.kubectl("-n", DEMO_NS, "scale", "deploy/web", `--replicas=${replicas + 4}`);
  await until(
    "drift (kubectl scale) to be corrected",
    async () => {
      const deploy = await c.get("deployment", "web", DEMO_NS);
      return deploy?.spec?.replicas === replicas;
    },
    120_000,
  );
}

/** The uid of every object in the Kustomization's inventory, by inventory id. */
export async function inventoryUids(c: ClusterClient, ks: Json): Promise<Map<string, string>> {
  const entries = ((ks.status?.inventory as { entries?: { id: string }[] } | undefined)?.entries ?? []).map(
    (e) => e.id,
  );
  const uids = new Map<string, string>();
  for (const id of entries) {
    const [ns, name, group, kind] = id.split("_") as [string, string, string, string];
    const resource = group ? `${kind}.${group}` : kind;
    const obj = await c.get(resource, name, ns || undefined);
    assert.ok(obj, `inventory object ${id} is missing from the cluster`);
    uids.set(id, obj.metadata.uid);
  }
  return uids;
}

/** Every object still in the inventory kept its uid: nothing in Git was deleted and recreated. */
export function assertKept(before: Map<string, string>, after: Map<string, string>): void {
  for (const [id, uid] of after) {
    const old = before.get(id);
    if (old) assert.equal(uid, old, `${id} was deleted and recreated`);
  }
}

/** Asks the controller to reconcile the source and the Kustomization now (as `flux reconcile` does). */
export async function requestReconcile(c: ClusterClient): Promise<void> {
  const at = `reconcile.fluxcd.io/requestedAt=${new Date().toISOString()}`;
  await c.kubectl("-n", SYSTEM_NS, "annotate", "--overwrite", "gitrepository/demo", at);
  await c.kubectl("-n", SYSTEM_NS, "annotate", "--overwrite", "kustomization/demo", at);
}

/**
 * Waits until the Deployment carries `marker` (mooring applied the new revision) while the
 * Kustomization has not yet reported that revision (its health check is still waiting).
 */
export async function waitMidReconcile(c: ClusterClient, marker: string, sha: string): Promise<void> {
  await until(
    "the new revision applied and its health check in progress",
    async () => {
      const deploy = await c.get("deployment", "web", DEMO_NS);
      const applied = JSON.stringify(deploy?.spec ?? {}).includes(marker);
      const ks = await c.get("kustomization", "demo", SYSTEM_NS);
      return applied && appliedSha(ks) !== sha;
    },
    180_000,
  );
}

/** The flux CLI (get, reconcile --with-source, tree, events, logs) against the in-cluster install. */
export async function assertFluxCli(flux: string, c: ClusterClient): Promise<void> {
  const env = { ...process.env, KUBECONFIG: c.kubeconfig };
  // flux prints progress (►, ✔) on stderr and tables on stdout: both are asserted.
  const run = async (...args: string[]): Promise<string> => {
    const result = await exec(flux, [...args, "-n", SYSTEM_NS], { env });
    const out = result.stdout + result.stderr;
    assert.equal(result.code, 0, `flux ${args.join(" ")} failed: ${out}`);
    return out;
  };
  assert.match(await run("get", "sources", "git"), /demo\s+main@sha1:\w+\s+False\s+True\s+stored artifact/);
  assert.match(await run("get", "kustomizations"), /demo\s+main@sha1:\w+\s+False\s+True\s+Applied revision/);
  const reconciled = await run("reconcile", "kustomization", "demo", "--with-source");
  assert.match(reconciled, /applied revision main@sha1:\w+/);
  const tree = await run("tree", "kustomization", "demo");
  assert.match(tree, /Deployment\/demo\/web/);
  const events = await run("events", "--for", "Kustomization/demo");
  assert.match(events, /Kustomization\/demo/);
  // flux logs finds mooring's pods by deploy/'s labels and filters mooring's JSON lines by Flux's keys.
  const logs = await run("logs", "--flux-namespace", SYSTEM_NS, "--kind", "Kustomization", "--name", "demo");
  assert.match(logs, /Kustomization\/demo/i, `flux logs printed no line of Kustomization demo: ${logs}`);
  assert.doesNotMatch(
    logs,
    /GitRepository\//i,
    "flux logs --kind Kustomization printed a GitRepository line",
  );
}
