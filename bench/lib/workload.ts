import { stringify } from "yaml";

/**
 * Seeded object streams for the cluster scenarios, so every run (and both controller sets)
 * applies the same bytes.
 */

/** A small deterministic PRNG (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const word = (rand: () => number, n: number): string =>
  Array.from({ length: n }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(rand() * 36)]).join("");

function deployment(ns: string, name: string, labels: Record<string, string>): object {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] },
      },
    },
  };
}

function service(ns: string, name: string, labels: Record<string, string>, port: number): object {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: ns, labels },
    spec: { selector: { app: name }, ports: [{ name: "http", port, targetPort: 8080 }] },
  };
}

/**
 * S2's stream: `count` objects, a third each ConfigMaps, Services and Deployments (0 replicas),
 * in namespace `ns`, as a YAML stream (JSON documents, which YAML reads).
 */
export function largeStream(ns: string, count: number, seed = 7, changed?: number): string {
  const rand = seeded(seed);
  const docs: object[] = [];
  const labels = { "bench.mooring.dev/scenario": "s2" };
  for (let i = 0; i < count; i++) {
    const name = `obj-${i}`;
    const kind = i % 3;
    if (kind === 0) {
      const data = Object.fromEntries(Array.from({ length: 8 }, (_, k) => [`key-${k}`, word(rand, 48)]));
      if (i === changed) data["key-0"] = "changed";
      docs.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, labels }, data });
    } else if (kind === 1) docs.push(service(ns, name, labels, 1000 + Math.floor(rand() * 9000)));
    else docs.push(deployment(ns, name, labels));
  }
  return docs.map((d) => stringify(d)).join("---\n");
}

/**
 * One S1 app: ServiceAccount, Service, Ingress and Deployment (0 replicas) named `app`, without a
 * namespace (the Kustomization's targetNamespace sets it), plus its kustomization.yaml.
 */
export function appFiles(app: string, labels: Record<string, string>): Record<string, string> {
  const meta = { name: app, labels };
  const docs = [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta },
    { apiVersion: "v1", kind: "Service", metadata: meta, spec: { selector: { app }, ports: [{ port: 80 }] } },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: meta,
      spec: {
        rules: [
          {
            host: `${app}.example.test`,
            http: {
              paths: [
                { path: "/", pathType: "Prefix", backend: { service: { name: app, port: { number: 80 } } } },
              ],
            },
          },
        ],
      },
    },
    { ...(deployment("", app, labels) as { metadata: object }), metadata: meta },
  ];
  return {
    "app.yaml": docs.map((d) => stringify(d)).join("---\n"),
    "kustomization.yaml":
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- app.yaml\n",
  };
}
