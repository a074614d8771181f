/** The objects the kind e2e creates, as YAML streams (kept in code so names stay in one place). */
import { stringify } from "yaml";

export const GIT_NAMESPACE = "e2e-git";
export const GIT_IMAGE = "mooring-e2e-git:dev";
export const MOORING_IMAGE = "mooring:0.1.0";
export const DEMO_URL = `http://git-server.${GIT_NAMESPACE}.svc.cluster.local/demo.git`;

const docs = (...objects: object[]): string => objects.map((o) => stringify(o)).join("---\n");

/** The in-cluster git server: one pod serving the demo repository on port 80 of its Service. */
export function gitServerManifests(): string {
  const labels = { app: "git-server" };
  return docs(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: GIT_NAMESPACE } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "git-server", namespace: GIT_NAMESPACE },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: "git",
                image: GIT_IMAGE,
                imagePullPolicy: "Never",
                ports: [{ name: "http", containerPort: 8080 }],
                readinessProbe: { tcpSocket: { port: "http" } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "git-server", namespace: GIT_NAMESPACE },
      spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    },
  );
}

/** The demo GitRepository and Kustomization, in the controller's namespace like a Flux install. */
export function demoManifests(namespace: string): string {
  return docs(
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "demo", namespace },
      spec: { url: DEMO_URL, interval: "1m", ref: { branch: "main" } },
    },
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "demo", namespace },
      // interval 1h: drift must be corrected by mooring's watches, not by the interval.
      spec: {
        interval: "1h",
        path: "./overlays/prod",
        prune: true,
        wait: true,
        timeout: "3m",
        sourceRef: { kind: "GitRepository", name: "demo" },
      },
    },
  );
}
