/**
 * The demo in a kind cluster, for the e2e and the kind quick start: an in-cluster git server
 * holding examples/demo, and the demo GitRepository and Kustomization, as YAML streams (kept in
 * code so names stay in one place).
 */
import { stringify } from "yaml";

/** Namespace of the in-cluster git server. */
export const GIT_NAMESPACE = "demo-git";
/** The git server's image, built from GIT_DOCKERFILE. */
export const GIT_IMAGE = "mooring-demo-git:dev";
/** Path of the git server's Dockerfile in the repository; it builds FROM MOORING_IMAGE, so after it. */
export const GIT_DOCKERFILE = "src/dev/git-server/Dockerfile";
/** The tag deploy/deployment.yaml runs. */
export const MOORING_IMAGE = "mooring:0.1.0";
/** The demo repository's URL inside the cluster. */
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
export function demoManifests(namespace: string, interval = "1h"): string {
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
      // The e2e's 1h: drift must be corrected by mooring's watches, not by the interval.
      spec: {
        interval,
        path: "./overlays/prod",
        prune: true,
        wait: true,
        timeout: "3m",
        sourceRef: { kind: "GitRepository", name: "demo" },
      },
    },
  );
}
