/**
 * Issue 14: values from `substituteFrom` Secrets and SOPS-decrypted files never leave the
 * controller. The API server is made to reject objects in ways that echo the value (an invalid
 * label value, an invalid object name); the Kustomizations' status, the namespace's Events and
 * every line the controller process wrote are then searched for every secret value.
 */
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitServer, type GitServer } from "../../src/dev/git-server/index.js";
import { eventually, kubeconfigPath, randomSuffix, testKubeConfig } from "../support/kube.js";
import { newAgeKey, Sops, SOPS_BUILD_TIMEOUT_MS } from "../support/sops.js";
import { killHard, startControllerProcess, type ControllerProcess } from "./support/controller-process.js";
import {
  applyObject,
  eventMessages,
  gitRepository,
  kustomization,
  readKs,
  readyOf,
} from "./support/fixtures.js";

const kc = testKubeConfig();
const namespace = `fault-secrets-${randomSuffix()}`;
/** Each value is invalid where the manifests put it, so the API server quotes it back. */
const SECRETS = {
  LABEL_VALUE: `not a label ${randomSuffix()}!`,
  OBJECT_NAME: `Not_A_Name_${randomSuffix()}`,
  PASSWORD: `pw-${randomSuffix(8)}`,
};
/** Decrypted by SOPS from a file in Git (encrypted with the real sops CLI), invalid as a label. */
const SOPS_LABEL = `sops secret ${randomSuffix()}!`;
const sopsPlain = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sops-labelled\n  namespace: ${namespace}\n  labels:\n    team: "${SOPS_LABEL}"\n`;
const paths = {
  label: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: labelled\n  namespace: ${namespace}\n  labels:\n    team: "\${LABEL_VALUE}"\ndata:\n  password: "\${PASSWORD}"\n`,
  name: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "\${OBJECT_NAME}"\n  namespace: ${namespace}\ndata:\n  password: "\${PASSWORD}"\n`,
};
let git: GitServer;
let sops: Sops | undefined;
let proc: ControllerProcess | undefined;

beforeAll(async () => {
  git = await startGitServer();
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace,
    body: { metadata: { name: "vars" }, stringData: SECRETS },
  });
  const age = await newAgeKey();
  sops = await Sops.start();
  const sopsFile = await sops.encrypt("cm.yaml", sopsPlain, [
    "--age",
    age.recipient,
    "--encrypted-regex",
    "^team$",
  ]);
  await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace,
    body: { metadata: { name: "sops-age" }, stringData: { "identity.agekey": `${age.identity}\n` } },
  });
  const repo = await git.createRepo(`secrets-${randomSuffix()}`, { defaultBranch: "main" });
  await repo.commit({
    files: {
      "label/cm.yaml": paths.label,
      "name/cm.yaml": paths.name,
      "sops/cm.yaml": sopsFile.toString("utf8"),
    },
  });
  const labels = { "mooring.test/fault-scene": namespace };
  const gr = gitRepository(namespace, "app", repo.url);
  await applyObject(kc, { ...gr, metadata: { ...gr.metadata, labels } });
  for (const path of Object.keys(paths)) {
    const ks = kustomization(namespace, path, "app", {
      path,
      postBuild: { substituteFrom: [{ kind: "Secret", name: "vars" }] },
    });
    await applyObject(kc, { ...ks, metadata: { ...ks.metadata, labels } });
  }
  const sopsKs = kustomization(namespace, "sops", "app", {
    path: "sops",
    decryption: { provider: "sops", secretRef: { name: "sops-age" } },
  });
  await applyObject(kc, { ...sopsKs, metadata: { ...sopsKs.metadata, labels } });
  proc = await startControllerProcess({
    kubeconfig: kubeconfigPath(),
    labelSelector: `mooring.test/fault-scene=${namespace}`,
    args: ["--log-level=debug"],
  });
}, SOPS_BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (proc) await killHard(proc);
  await kc
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace })
    .catch(() => undefined);
  await git?.stop();
  await sops?.stop();
});

const KUSTOMIZATIONS = [...Object.keys(paths), "sops"];
const VALUES: Record<string, string> = { ...SECRETS, SOPS_LABEL };

describe("secret values from substituteFrom and SOPS (issue 14)", () => {
  it("never appear in conditions, events or log lines when the API server echoes them", async () => {
    for (const name of KUSTOMIZATIONS) {
      await eventually(
        `Kustomization ${name} to fail with the rejected object`,
        async () => {
          const ready = readyOf(await readKs(kc, namespace, name));
          return ready.status === "False" && /invalid|Invalid/.test(ready.message ?? "") ? ready : undefined;
        },
        async () => readKs(kc, namespace, name),
        { timeoutMs: 120_000 },
      );
    }
    // Let the failure be retried and logged a few times (retryInterval 2s).
    await eventually("repeated failures in the log", async () =>
      proc!.lines.filter((l) => l.reason === "ReconciliationFailed").length >= 4 ? true : undefined,
    );
    const statuses = await Promise.all(KUSTOMIZATIONS.map((n) => readKs(kc, namespace, n)));
    const sinks = {
      conditions: JSON.stringify(statuses.map((s) => s?.status)),
      events: (await eventMessages(kc, namespace)).join("\n"),
      logs: proc!.output(),
    };
    const leaks = Object.entries(sinks).flatMap(([sink, text]) =>
      Object.entries(VALUES)
        .filter(([, value]) => text.includes(value))
        .map(([key]) => `${key} in ${sink}`),
    );
    console.log(
      `[faults] secrets: sinks searched=3 values=${Object.keys(VALUES).length} leaks=${leaks.length}`,
    );
    expect(leaks).toEqual([]);
    // The failures did quote the values: scrubbed, not absent.
    expect(sinks.conditions).toContain("*****");
    expect(sinks.events).toContain("*****");
  });
});
