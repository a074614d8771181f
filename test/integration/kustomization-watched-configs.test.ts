/**
 * Issue 15: the `reconcile.fluxcd.io/watch: Enabled` label. A change to a labelled ConfigMap or
 * Secret used by `postBuild.substituteFrom` reconciles the Kustomizations using it at once (their
 * interval is 1 h); an unlabelled one is not watched, unless `--watch-configs-label-selector`
 * selects it (here: a second controller with the empty selector, Flux's "everything").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClusters } from "../support/local-clusters.js";
import { stringify } from "yaml";
import { ApplyClusters, ApplyManager } from "../../src/apply/cluster/index.js";
import { startGitServer, type GitServer } from "../../src/dev/git-server/index.js";
import { ApiKustomizationClient } from "../../src/kustomization/cluster-client.js";
import {
  startKustomizationController,
  type RunningKustomizationController,
} from "../support/kustomization-controller.js";
import { kustomizationOptions } from "../../src/kustomization/options.js";
import { apiEventSink } from "../../src/runtime/event-sink.js";
import { EventRecorder } from "../../src/runtime/events.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";
import {
  eventually,
  kubectlOk,
  randomSuffix,
  readObject,
  testKubeConfig,
  useTestNamespace,
  waitForCondition,
  waitForObject,
} from "../support/kube.js";

const ns = useTestNamespace("ks-watch");
const shard = `ks-watch-${randomSuffix()}`;
const SHARD_LABEL = "mooring.test/shard";
const WATCH = { "reconcile.fluxcd.io/watch": "Enabled" };
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };

let git: GitServer;
let source: SourceHarness;
let recorder: EventRecorder;
const controllers: RunningKustomizationController[] = [];
const clusters: ApplyClusters[] = [];

const apply = (obj: Record<string, unknown>): Promise<string> =>
  kubectlOk(["apply", "-f", "-"], stringify(obj));

/** A Kustomization controller reconciling only the Kustomizations of `group`. */
function startController(group: string, configsLabelSelector: string | undefined, watchConfigs = true): void {
  const kc = testKubeConfig();
  const targets = localClusters(new ApplyManager(kc));
  clusters.push(targets);
  const client = new ApiKustomizationClient(kc, (obj, e) => recorder.record(obj, e));
  const controller = startKustomizationController({
    kubeConfig: kc,
    client,
    apply: targets,
    options: kustomizationOptions({ watchConfigs }),
    labelSelector: `${SHARD_LABEL}=${shard}-${group}`,
    configsLabelSelector,
  });
  controllers.push(controller);
}

/** A Kustomization of `group` rendering `./<path>` with variables from one ConfigMap or Secret. */
async function createKs(name: string, group: string, from: { kind: "ConfigMap" | "Secret"; name: string }) {
  await apply({
    ...KS,
    metadata: { name, namespace: ns(), labels: { [SHARD_LABEL]: `${shard}-${group}` } },
    spec: {
      interval: "1h",
      prune: true,
      path: `./${name}`,
      sourceRef: { kind: "GitRepository", name: "app" },
      postBuild: { substituteFrom: [from] },
    },
  });
  await waitForCondition({ ...KS, name, namespace: ns() }, "Ready", "True", { timeoutMs: 60_000 });
}

const configMap = (name: string, data: Record<string, string>, labels: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: ns(), labels },
  data,
});

/** The value the Kustomization rendered into ConfigMap `out-<name>`. */
const rendered = async (name: string): Promise<string | undefined> => {
  const out = (await readObject({
    apiVersion: "v1",
    kind: "ConfigMap",
    name: `out-${name}`,
    namespace: ns(),
  })) as { data?: Record<string, string> } | undefined;
  return out?.data?.value;
};

const renders = (name: string, value: string) =>
  eventually(
    `out-${name} rendered with '${value}'`,
    async () => ((await rendered(name)) === value ? true : undefined),
    async () => ({ rendered: await rendered(name) }),
    { timeoutMs: 60_000 },
  );

beforeAll(async () => {
  git = await startGitServer();
  const repo = await git.createRepo(`watch-${shard}`);
  const files: Record<string, string> = {};
  for (const [name, variable] of [
    ["labelled-cm", "greeting"],
    ["labelled-secret", "token"],
    ["plain", "plain"],
    ["everything", "everything"],
    ["gate-off", "gated"],
  ]) {
    files[`${name}/out.yaml`] = stringify(configMap(`out-${name ?? ""}`, { value: `\${${variable ?? ""}}` }));
    files[`${name}/kustomization.yaml`] = stringify({ resources: ["out.yaml"] });
  }
  await repo.commit({ files });
  const kc = testKubeConfig();
  source = await startSourceController(kc, { labelSelector: `${SHARD_LABEL}=${shard}` });
  recorder = new EventRecorder({ sink: apiEventSink(kc), component: "kustomize-controller" });
  startController("default", undefined);
  startController("all", "");
  startController("gate-off", undefined, false);
  const revision = `main@sha1:${await repo.revParse("main")}`;
  await apply({
    ...GR,
    metadata: { name: "app", namespace: ns(), labels: { [SHARD_LABEL]: shard } },
    spec: { url: repo.url, interval: "1h", ref: { branch: "main" } },
  });
  await waitForObject(
    { ...GR, name: "app", namespace: ns() },
    (o) => (o as { status?: { artifact?: { revision?: string } } }).status?.artifact?.revision === revision,
    { timeoutMs: 60_000 },
  );
}, 120_000);

afterAll(async () => {
  for (const c of controllers) await c.stop();
  for (const c of clusters) await c.close();
  await recorder?.flush();
  await source?.stop();
  await git?.stop();
});

describe("reconcile.fluxcd.io/watch: Enabled (issue 15)", () => {
  it("a labelled ConfigMap change reconciles the Kustomizations using it at once", async () => {
    await apply(configMap("vars", { greeting: "hello" }, WATCH));
    await createKs("labelled-cm", "default", { kind: "ConfigMap", name: "vars" });
    expect(await rendered("labelled-cm")).toBe("hello");
    await kubectlOk([
      "-n",
      ns(),
      "patch",
      "configmap/vars",
      "--type=merge",
      "-p",
      '{"data":{"greeting":"bye"}}',
    ]);
    await renders("labelled-cm", "bye");
  });

  it("a labelled Secret change does too", async () => {
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "creds", namespace: ns(), labels: WATCH },
      stringData: { token: "one" },
    });
    await createKs("labelled-secret", "default", { kind: "Secret", name: "creds" });
    expect(await rendered("labelled-secret")).toBe("one");
    const two = Buffer.from("two").toString("base64");
    await kubectlOk([
      "-n",
      ns(),
      "patch",
      "secret/creds",
      "--type=merge",
      "-p",
      JSON.stringify({ data: { token: two } }),
    ]);
    await renders("labelled-secret", "two");
  });

  it("an unlabelled ConfigMap is not watched; labelling it is a change that is", async () => {
    await apply(configMap("plain-vars", { plain: "first" }));
    await createKs("plain", "default", { kind: "ConfigMap", name: "plain-vars" });
    const before = await readObject({ ...KS, name: "plain", namespace: ns() });
    await kubectlOk([
      "-n",
      ns(),
      "patch",
      "configmap/plain-vars",
      "--type=merge",
      "-p",
      '{"data":{"plain":"second"}}',
    ]);
    // A later change to a watched ConfigMap is handled; the unwatched one was not.
    await kubectlOk([
      "-n",
      ns(),
      "patch",
      "configmap/vars",
      "--type=merge",
      "-p",
      '{"data":{"greeting":"later"}}',
    ]);
    await renders("labelled-cm", "later");
    expect(await rendered("plain")).toBe("first");
    const after = await readObject({ ...KS, name: "plain", namespace: ns() });
    expect(after?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
    await kubectlOk(["-n", ns(), "label", "configmap/plain-vars", "reconcile.fluxcd.io/watch=Enabled"]);
    await renders("plain", "second");
  });

  it("--watch-configs-label-selector='' watches every ConfigMap and Secret", async () => {
    await apply(configMap("all-vars", { everything: "first" }));
    await createKs("everything", "all", { kind: "ConfigMap", name: "all-vars" });
    await kubectlOk([
      "-n",
      ns(),
      "patch",
      "configmap/all-vars",
      "--type=merge",
      "-p",
      '{"data":{"everything":"second"}}',
    ]);
    await renders("everything", "second");
  });

  it("with Flux's DisableConfigWatchers gate nothing is watched, labelled or not", async () => {
    await apply(configMap("off-vars", { gated: "first" }, WATCH));
    await createKs("gate-off", "gate-off", { kind: "ConfigMap", name: "off-vars" });
    const before = await readObject({ ...KS, name: "gate-off", namespace: ns() });
    await kubectlOk([
      "-n",
      ns(),
      "patch",
      "configmap/off-vars",
      "--type=merge",
      "-p",
      '{"data":{"gated":"second"}}',
    ]);
    // The same kind of change is handled by the controllers that watch (the witness).
    await kubectlOk([
      "-n",
      ns(),
      "patch",
      "configmap/vars",
      "--type=merge",
      "-p",
      '{"data":{"greeting":"witness"}}',
    ]);
    await renders("labelled-cm", "witness");
    expect(await rendered("gate-off")).toBe("first");
    const after = await readObject({ ...KS, name: "gate-off", namespace: ns() });
    expect(after?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
  });
});
