/** The e2e's upgrade step: a new image tag rolls out and nothing of the controller's state is lost. */
import assert from "node:assert/strict";
import { type ClusterClient, condition, type Json } from "./cluster-client.js";
import { assertArtifactServed, assertControllerHealthy, SYSTEM_NS } from "./steps-controller.js";
import { assertKept, inventoryUids, requestReconcile, waitKustomizationReady } from "./steps-gitops.js";

type Artifact = { revision: string; digest: string; url: string };

/**
 * `kubectl set image` to `image`; the new pod is healthy, the GitRepository keeps its artifact
 * (same revision and digest, served again at its URL although storage was an emptyDir), the
 * Kustomization keeps its inventory and every object its uid.
 */
export async function upgrade(c: ClusterClient, ks: Json, image: string): Promise<void> {
  const repoBefore = await c.get("gitrepository", "demo", SYSTEM_NS);
  const before = repoBefore?.status?.artifact as Artifact | undefined;
  assert.ok(before, "the GitRepository has no artifact before the upgrade");
  const uids = await inventoryUids(c, ks);
  await c.kubectl("-n", SYSTEM_NS, "set", "image", "deploy/mooring", `manager=${image}`);
  await c.kubectl("-n", SYSTEM_NS, "rollout", "status", "deploy/mooring", "--timeout=300s");
  await assertControllerHealthy(c, image);
  await requestReconcile(c);
  const sha = String(ks.status?.lastAppliedRevision).replace(/^.*sha1:/, "");
  const after = await waitKustomizationReady(c, sha);
  const repoAfter = await c.get("gitrepository", "demo", SYSTEM_NS);
  assert.ok(repoAfter);
  assert.equal(condition(repoAfter, "Ready")?.status, "True");
  const artifact = repoAfter.status?.artifact as Artifact | undefined;
  assert.equal(artifact?.revision, before.revision);
  assert.equal(artifact?.digest, before.digest);
  assert.deepEqual(after.status?.inventory, ks.status?.inventory);
  assertKept(uids, await inventoryUids(c, after));
  await assertArtifactServed(c, repoAfter);
}
