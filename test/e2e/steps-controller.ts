/** e2e steps about the controller itself: its pod, Lease, RBAC, Service endpoints, upgrade, uninstall. */
import assert from "node:assert/strict";
import { type ClusterClient, type Json, until } from "./cluster-client.js";

export const SYSTEM_NS = "mooring-system";
const SELECTOR = "app.kubernetes.io/name=mooring";
const LEASE = "mooring-leader-election";
const SA = `system:serviceaccount:${SYSTEM_NS}:mooring`;

/** The one live controller pod, asserted Running, Ready, with 0 restarts and holding the Lease. */
export async function assertControllerHealthy(c: ClusterClient, image?: string): Promise<Json> {
  let pod: Json | undefined;
  await until(
    "exactly one Ready controller pod holding the Lease",
    async () => {
      const pods = (await c.list("pods", SELECTOR, SYSTEM_NS)).filter((p) => !p.metadata.deletionTimestamp);
      if (pods.length !== 1) return false;
      pod = pods[0];
      const status = containerStatus(pod);
      const holder = (await c.get("lease", LEASE, SYSTEM_NS))?.spec?.holderIdentity;
      return (
        pod?.status?.phase === "Running" && status?.ready === true && holder === `${pod?.metadata.name}_1`
      );
    },
    300_000,
  );
  assert.ok(pod);
  const status = containerStatus(pod);
  assert.equal(status?.restartCount, 0, `controller pod ${pod.metadata.name} restarted`);
  if (image) assert.equal(status?.image.replace(/^docker\.io\/library\//, ""), image);
  assert.equal(pod.spec?.serviceAccountName, "mooring");
  return pod;
}

function containerStatus(
  pod: Json | undefined,
): { ready: boolean; restartCount: number; image: string; imageID: string } | undefined {
  const statuses = pod?.status?.containerStatuses as
    { ready: boolean; restartCount: number; image: string; imageID: string }[] | undefined;
  return statuses?.[0];
}

/** The install's RBAC is what the controller runs with: its account may do its job. */
export async function assertRbac(c: ClusterClient): Promise<void> {
  const can = async (...args: string[]): Promise<string> =>
    (await c.kubectl("auth", "can-i", ...args, `--as=${SA}`)).trim();
  assert.equal(await can("watch", "gitrepositories.source.toolkit.fluxcd.io", "-A"), "yes");
  assert.equal(await can("patch", "kustomizations.kustomize.toolkit.fluxcd.io/status", "-A"), "yes");
  assert.equal(await can("update", "leases.coordination.k8s.io", "-n", SYSTEM_NS), "yes");
}

/** `/metrics` and `/healthz` fetched from another pod through the Service's DNS name. */
export async function assertServiceEndpoints(c: ClusterClient): Promise<void> {
  const base = `http://mooring.${SYSTEM_NS}.svc.cluster.local`;
  const script = `
    const get = async (u) => { const r = await fetch(u); const t = await r.text(); console.log(u, r.status, t.length); return [r.status, t]; };
    const [ms, metrics] = await get("${base}:8080/metrics");
    const [hs] = await get("${base}:9440/healthz");
    console.log(metrics.includes("gotk_reconcile_duration_seconds") ? "has-gotk-metrics" : "no-gotk-metrics");
    process.exit(ms === 200 && hs === 200 ? 0 : 1);`;
  const out = await c.inClusterNode("e2e-probe-service", `(async () => {${script}})()`);
  assert.match(out, /:8080\/metrics 200/);
  assert.match(out, /:9440\/healthz 200/);
  assert.match(out, /has-gotk-metrics/);
}

/** The artifact in the GitRepository's status is served at its URL with its digest. */
export async function assertArtifactServed(c: ClusterClient, repo: Json): Promise<void> {
  const artifact = repo.status?.artifact as { url: string; digest: string } | undefined;
  assert.ok(artifact, "GitRepository has no artifact");
  const script = `(async () => {
    const r = await fetch(${JSON.stringify(artifact.url)});
    const b = Buffer.from(await r.arrayBuffer());
    console.log(r.status, "sha256:" + require("node:crypto").createHash("sha256").update(b).digest("hex"));
  })()`;
  const out = (await c.inClusterNode(`e2e-probe-artifact-${Date.now() % 100000}`, script)).trim();
  assert.equal(out, `200 ${artifact.digest}`);
}

/** The label deploy/ puts on everything it installs, CRDs and cluster-scoped RBAC included. */
const INSTALLED = "app.kubernetes.io/instance=mooring-system";
const CLUSTER_SCOPED = ["clusterroles", "clusterrolebindings", "crd"] as const;

/** The cluster-scoped objects install created, by kind; each kind must have some (no vacuous check). */
export async function installedClusterObjects(c: ClusterClient): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const kind of CLUSTER_SCOPED) {
    found[kind] = (await c.list(kind, INSTALLED)).map((o) => o.metadata.name);
    assert.ok(found[kind].length > 0, `install created no ${kind} labelled ${INSTALLED}`);
  }
  return found;
}

/** Everything install created is gone: namespace, CRDs, cluster-scoped RBAC (`installed` names them). */
export async function assertUninstalled(
  c: ClusterClient,
  installed: Record<string, string[]>,
): Promise<void> {
  await until(
    "mooring-system and the CRDs to be deleted",
    async () => {
      const ns = await c.get("namespace", SYSTEM_NS);
      const crds = await c.list("crd", INSTALLED);
      return !ns && crds.length === 0;
    },
    300_000,
  );
  for (const kind of CLUSTER_SCOPED) {
    const left = await c.list(kind, INSTALLED);
    assert.deepEqual(
      left.map((o) => o.metadata.name),
      [],
      `${kind} left behind`,
    );
    for (const name of installed[kind] ?? [])
      assert.equal(await c.get(kind, name), undefined, `${kind} ${name} left behind`);
  }
  for (const crd of [
    "gitrepositories.source.toolkit.fluxcd.io",
    "kustomizations.kustomize.toolkit.fluxcd.io",
  ])
    assert.equal(await c.get("crd", crd), undefined, `CRD ${crd} left behind`);
}
