/**
 * Issue 20, item 3: deploy/'s controller ClusterRole lets the Receiver do its work and nothing
 * more. The rules are installed under a test name, bound to a test ServiceAccount, and the real
 * authorizer is asked (SubjectAccessReview through `kubectl auth can-i --as`): Receivers are read
 * and their status written; webhooks may patch GitRepositories, OCIRepositories and
 * Kustomizations (the targets mooring reconciles) and nothing else a Flux Receiver could name.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { kubectl, kubectlOk, randomSuffix, useTestNamespace } from "../support/kube.js";

const ns = useTestNamespace("receiver-rbac");
const role = `mooring-controller-test-${randomSuffix()}`;
const sa = "controller";

async function can(verb: string, resource: string): Promise<string> {
  const res = await kubectl([
    "auth",
    "can-i",
    verb,
    resource,
    "-A",
    `--as=system:serviceaccount:${ns()}:${sa}`,
  ]);
  return res.stdout.trim();
}

beforeAll(async () => {
  const file = await readFile(resolve(import.meta.dirname, "../../deploy/rbac-controller.yaml"), "utf8");
  const clusterRole = parseAllDocuments(file)
    .map((d) => d.toJS() as { kind: string; metadata: { name: string }; rules: unknown[] })
    .find((d) => d.kind === "ClusterRole");
  if (clusterRole === undefined) throw new Error("deploy/rbac-controller.yaml has no ClusterRole");
  await kubectlOk(["create", "serviceaccount", sa, "-n", ns()]);
  await kubectlOk(["apply", "-f", "-"], stringify({ ...clusterRole, metadata: { name: role } }));
  await kubectlOk([
    "create",
    "clusterrolebinding",
    role,
    `--clusterrole=${role}`,
    `--serviceaccount=${ns()}:${sa}`,
  ]);
});

afterAll(async () => {
  await kubectl(["delete", "clusterrolebinding", role, "--ignore-not-found"]);
  await kubectl(["delete", "clusterrole", role, "--ignore-not-found"]);
});

describe("deploy/ RBAC for the Receiver (issue 20)", () => {
  it.each([
    ["list", "receivers.notification.toolkit.fluxcd.io"],
    ["watch", "receivers.notification.toolkit.fluxcd.io"],
    ["patch", "receivers.notification.toolkit.fluxcd.io/status"],
    ["get", "secrets"],
    ["patch", "gitrepositories.source.toolkit.fluxcd.io"],
    ["patch", "kustomizations.kustomize.toolkit.fluxcd.io"],
    ["patch", "ocirepositories.source.toolkit.fluxcd.io"],
  ])("allows %s %s", async (verb, resource) => {
    expect(await can(verb, resource)).toBe("yes");
  });

  it.each([
    ["create", "receivers.notification.toolkit.fluxcd.io"],
    ["delete", "receivers.notification.toolkit.fluxcd.io"],
    ["patch", "helmreleases.helm.toolkit.fluxcd.io"],
    ["patch", "imagerepositories.image.toolkit.fluxcd.io"],
    ["patch", "secrets"],
    ["patch", "configmaps"],
    ["patch", "deployments.apps"],
  ])("refuses %s %s", async (verb, resource) => {
    expect(await can(verb, resource)).toBe("no");
  });
});
