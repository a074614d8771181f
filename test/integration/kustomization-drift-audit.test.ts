/**
 * Issue 20 item 2 on the real control plane, with the real controller in process: a kubectl edit
 * (a PATCH with field manager `kubectl-edit`) is corrected and recorded with that manager in a
 * `DriftCorrected` event, in `mooring_drift_corrections_total` and in
 * `status.mooring.driftCorrections`; `mooring.dev/drift: detect`, on the live object or on the
 * Kustomization, leaves the edit in place and reports it (`Drifted`/`DriftDetected`, a Warning
 * event); `mooring drift ks` lists the current drift and the recent corrections; a bad value stalls.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../../src/cli/program.js";
import { startGitServer, type GitServer } from "../../src/dev/git-server/index.js";
import { startInProcessController } from "../support/in-process-controller.js";
import {
  conditionOf,
  eventually,
  kubeconfigPath,
  randomSuffix,
  readObject,
  useTestNamespace,
  waitForCondition,
} from "../support/kube.js";
import { assertKstatusRules, GR, KS, kubectlOk } from "../support/kustomization-harness.js";

const ns = useTestNamespace("drift-audit");
const shard = `drift-${randomSuffix()}`;
const labels = { "sharding.fluxcd.io/key": shard };
const stop = new AbortController();
let git: GitServer;
let storage = "";
let manager: { readonly ports: { metrics?: number } } | undefined;
let done: Promise<void> | undefined;

const cm = (name: string): string =>
  stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns() },
    data: { mode: "git" },
  });

beforeAll(async () => {
  git = await startGitServer();
  const repo = await git.createRepo(`drift-audit-${randomSuffix()}`);
  await repo.commit({ files: { "app/settings.yaml": cm("settings"), "app/watched.yaml": cm("watched") } });
  storage = await mkdtemp(join(tmpdir(), "drift-audit-"));
  const { running } = await startInProcessController({
    storagePath: storage,
    shard,
    instance: "drift-audit",
    signal: stop.signal,
  });
  done = running.done;
  manager = running.manager;
  const source = { url: repo.url, interval: "1h", ref: { branch: "main" } };
  const spec = {
    interval: "1h",
    path: "./app",
    prune: true,
    sourceRef: { kind: "GitRepository", name: "app" },
  };
  await kubectlOk(
    ["apply", "-f", "-"],
    [
      stringify({ ...GR, metadata: { name: "app", namespace: ns(), labels }, spec: source }),
      stringify({ ...KS, metadata: { name: "app", namespace: ns(), labels }, spec }),
    ].join("---\n"),
  );
  await waitForCondition({ ...KS, name: "app", namespace: ns() }, "Ready", "True", { timeoutMs: 90_000 });
}, 150_000);

afterAll(async () => {
  stop.abort();
  await done?.catch(() => undefined);
  await git?.stop();
  if (storage) await rm(storage, { recursive: true, force: true });
});

type Ks = {
  metadata: { generation?: number; annotations?: Record<string, string> };
  status?: {
    conditions?: { type: string; status: string; reason: string; message: string }[];
    lastHandledReconcileAt?: string;
    mooring?: { driftCorrections?: { kind: string; name: string; fields: string[]; managers: string[] }[] };
  };
};
const ks = async (): Promise<Ks> =>
  (await readObject({ ...KS, name: "app", namespace: ns() })) as unknown as Ks;
const mode = async (name: string): Promise<string | undefined> =>
  (
    (await readObject({ apiVersion: "v1", kind: "ConfigMap", name, namespace: ns() })) as {
      data?: { mode?: string };
    }
  )?.data?.mode;

/** `kubectl edit` as the API server sees it: an update by field manager `kubectl-edit`. */
const edit = (name: string, value: string): Promise<string> =>
  kubectlOk([
    "patch",
    "configmap",
    name,
    "-n",
    ns(),
    "--type=merge",
    "--field-manager=kubectl-edit",
    "-p",
    JSON.stringify({ data: { mode: value } }),
  ]);

const annotate = (target: string[], value: string | undefined): Promise<string> =>
  kubectlOk([
    "annotate",
    "--overwrite",
    ...target,
    "-n",
    ns(),
    value === undefined ? "mooring.dev/drift-" : `mooring.dev/drift=${value}`,
  ]);

/** The Kustomization's events with `reason`. */
async function events(reason: string): Promise<{ type: string; message: string }[]> {
  const list = JSON.parse(await kubectlOk(["get", "events", "-n", ns(), "-o", "json"])) as {
    items: {
      reason: string;
      type: string;
      message: string;
      involvedObject: { kind: string; name: string };
    }[];
  };
  return list.items.filter((e) => e.reason === reason && e.involvedObject.kind === "Kustomization");
}

async function metric(): Promise<number> {
  // The port is known once the manager's servers are up (after start returned).
  const text = await (await fetch(`http://127.0.0.1:${manager?.ports.metrics}/metrics`)).text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`mooring_drift_corrections_total{kind="ConfigMap",namespace="${ns()}"}`));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t), tty: false, env: {} };
  const code = await runCli([...argv, "--kubeconfig", kubeconfigPath()], io);
  return { code, out, err };
}

/** Waits for a reconcile requested now to be handled; returns the Kustomization. */
async function reconcileNow(): Promise<Ks> {
  const at = String(Date.now());
  await kubectlOk([
    "annotate",
    "--overwrite",
    "kustomization",
    "app",
    "-n",
    ns(),
    `reconcile.fluxcd.io/requestedAt=${at}`,
  ]);
  return eventually("the requested reconcile handled", async () => {
    const obj = await ks();
    return obj.status?.lastHandledReconcileAt === at && conditionOf(obj, "Ready")?.status === "True"
      ? obj
      : undefined;
  });
}

describe("drift audit and detect-only (issue 20 item 2)", () => {
  it("corrects a kubectl edit and records it with its field manager: event, metric, status", async () => {
    await edit("settings", "edited");
    const obj = await eventually(
      "the edit corrected and recorded",
      async () => {
        const o = await ks();
        return (await mode("settings")) === "git" && (o.status?.mooring?.driftCorrections?.length ?? 0) > 0
          ? o
          : undefined;
      },
      async () => ({ mode: await mode("settings"), status: (await ks()).status }),
    );
    expect(obj.status?.mooring?.driftCorrections?.[0]).toMatchObject({
      kind: "ConfigMap",
      name: "settings",
      namespace: ns(),
      apiVersion: "v1",
      fields: ["data.mode"],
      managers: ["kubectl-edit"],
      revision: expect.stringMatching(/^main@sha1:/),
    });
    const corrected = await eventually("the DriftCorrected event", async () => {
      const found = await events("DriftCorrected");
      return found.length > 0 ? found : undefined;
    });
    expect(corrected[0]).toMatchObject({
      type: "Normal",
      message: `Drift corrected:\nConfigMap/${ns()}/settings: data.mode changed by kubectl-edit`,
    });
    expect(await metric()).toBe(obj.status?.mooring?.driftCorrections?.length);
    expect(await metric()).toBe(1);
    // Flux's own status fields are untouched by mooring's.
    expect(Object.keys(obj.status ?? {}).filter((k) => !FLUX_STATUS.has(k))).toEqual(["mooring"]);
    assertKstatusRules(obj);
  }, 120_000);

  it("leaves an edit in place under mooring.dev/drift: detect on the live object, and reports it", async () => {
    await annotate(["configmap", "watched"], "detect");
    await edit("watched", "debug");
    const obj = await waitForCondition({ ...KS, name: "app", namespace: ns() }, "Drifted", "True", {
      timeoutMs: 60_000,
      reason: "DriftDetected",
    });
    expect(conditionOf(obj, "Drifted")?.message).toContain(
      `ConfigMap/${ns()}/watched: data.mode changed by kubectl-edit`,
    );
    expect(conditionOf(obj, "Ready")?.status).toBe("True");
    expect(await mode("watched")).toBe("debug");
    // Another full reconcile still corrects nothing and still reports it.
    const again = await reconcileNow();
    expect(await mode("watched")).toBe("debug");
    expect(conditionOf(again as never, "Drifted")).toMatchObject({ status: "True", reason: "DriftDetected" });
    const warned = await eventually("the DriftDetected event", async () => {
      const found = await events("DriftDetected");
      return found.length > 0 ? found : undefined;
    });
    expect(warned[0]?.type).toBe("Warning");
    expect(await metric()).toBe(1);
  }, 120_000);

  it("mooring drift ks lists the current drift and the recent corrections", async () => {
    const res = await cli("drift", "ks", "app", "-n", ns());
    expect(res.err).toBe("");
    expect(res.code).toBe(1);
    expect(res.out).toContain(`► ConfigMap/${ns()}/watched drifted\n  data.mode: "debug" → "git"\n`);
    expect(res.out).not.toContain(`ConfigMap/${ns()}/settings drifted`);
    expect(res.out).toMatch(
      new RegExp(
        `Recent drift corrections:\\n  \\S+ ConfigMap/${ns()}/settings data\\.mode by kubectl-edit \\(main@sha1:`,
      ),
    );
    const json = JSON.parse((await cli("drift", "ks", "app", "-n", ns(), "-o", "json")).out) as {
      drift: { object: string; action: string }[];
      recentCorrections: { name: string; managers: string[] }[];
    };
    expect(json.drift).toEqual([
      {
        object: `ConfigMap/${ns()}/watched`,
        action: "drifted",
        changes: [{ path: "data.mode", live: "debug", desired: "git" }],
      },
    ]);
    expect(json.recentCorrections[0]).toMatchObject({ name: "settings", managers: ["kubectl-edit"] });
  }, 120_000);

  it("detect on the Kustomization keeps every edit; back to correct reverts them at once", async () => {
    await annotate(["kustomization", "app"], "detect");
    await edit("settings", "held");
    await eventually("settings reported as drifted", async () =>
      conditionOf((await ks()) as never, "Drifted")?.message?.includes(
        `ConfigMap/${ns()}/settings: data.mode`,
      )
        ? true
        : undefined,
    );
    expect(await mode("settings")).toBe("held");
    await annotate(["kustomization", "app"], "correct");
    await eventually("settings corrected once the Kustomization says correct", async () =>
      (await mode("settings")) === "git" ? true : undefined,
    );
    // watched keeps its own live annotation: still left in place and still reported.
    const obj = await eventually("the second correction recorded", async () => {
      const o = await ks();
      return (o.status?.mooring?.driftCorrections?.length ?? 0) === 2 ? o : undefined;
    });
    expect(obj.status?.mooring?.driftCorrections?.[0]).toMatchObject({
      name: "settings",
      managers: ["kubectl-edit"],
    });
    expect(await mode("watched")).toBe("debug");
    expect(conditionOf(obj as never, "Drifted")?.message).toContain(`ConfigMap/${ns()}/watched`);
    expect(conditionOf(obj as never, "Drifted")?.message).not.toContain(`ConfigMap/${ns()}/settings`);
    expect(await metric()).toBe(2);
    // Dropping the object's annotation: the next reconcile corrects it and Drifted goes.
    await annotate(["configmap", "watched"], undefined);
    const done = await reconcileNow();
    expect(await mode("watched")).toBe("git");
    expect(conditionOf(done as never, "Drifted")).toBeUndefined();
    expect(await metric()).toBe(3);
  }, 180_000);

  it("stalls on an invalid mooring.dev/drift value with a message that says what to write", async () => {
    await annotate(["kustomization", "app"], "sometimes");
    const obj = await waitForCondition({ ...KS, name: "app", namespace: ns() }, "Stalled", "True", {
      timeoutMs: 60_000,
      reason: "InvalidAnnotation",
    });
    expect(conditionOf(obj, "Ready")?.message).toContain(
      `Kustomization ${ns()}/app has annotation mooring.dev/drift: "sometimes"; use "detect"`,
    );
    assertKstatusRules(obj);
    await annotate(["kustomization", "app"], undefined);
    await waitForCondition({ ...KS, name: "app", namespace: ns() }, "Ready", "True", { timeoutMs: 60_000 });
  }, 120_000);
});

const FLUX_STATUS = new Set([
  "observedGeneration",
  "conditions",
  "lastAppliedRevision",
  "lastAppliedOriginRevision",
  "lastAttemptedRevision",
  "lastHandledReconcileAt",
  "inventory",
  "history",
]);
