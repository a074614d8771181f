/**
 * Compacts the test control plane's etcd, so a watch from an old resourceVersion gets the real
 * API server's 410 Gone. The etcd URL is read from kube-apiserver's command line (the local control
 * plane records its pids next to the kubeconfig); undefined on clusters where that is not possible.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The etcd client URL of the local control plane behind `kubeconfigPath`, if it can be found. */
export async function localEtcdUrl(kubeconfigPath: string): Promise<string | undefined> {
  const pids = await readFile(join(dirname(kubeconfigPath), "pids"), "utf8").catch(() => "");
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    const flag = cmdline.split("\0").find((a) => a.startsWith("--etcd-servers="));
    if (flag) return flag.slice("--etcd-servers=".length).split(",")[0];
  }
  return undefined;
}

/** Compacts etcd up to its current revision (JSON gateway of the v3 API). */
export async function compactEtcd(etcdUrl: string): Promise<number> {
  const range = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: "POST",
    body: JSON.stringify({ key: Buffer.from("/").toString("base64") }),
  });
  const { header } = (await range.json()) as { header: { revision: string } };
  const revision = Number(header.revision);
  const res = await fetch(`${etcdUrl}/v3/kv/compaction`, {
    method: "POST",
    body: JSON.stringify({ revision, physical: true }),
  });
  if (!res.ok) throw new Error(`etcd compaction failed: ${res.status} ${await res.text()}`);
  return revision;
}
