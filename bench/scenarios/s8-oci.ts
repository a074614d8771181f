import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { ensureFluxCli } from "../../src/dev/flux/build.js";
import { ensureRegistry } from "../../src/dev/oci-registry/build.js";
import { type Registry, startRegistry } from "../../src/dev/oci-registry/registry.js";
import { type ControllerSet, FLUX, MOORING } from "../lib/controller-sets.js";
import { fluxStatus, kustomization, namespace, requestReconcile, sharded } from "../lib/gitops.js";
import { benchApply, pushedValue, type BenchObject, pollUntil } from "../lib/kube.js";
import type { ScenarioReport } from "../lib/report.js";
import { inRound } from "../lib/round.js";
import { formatMs, ratio, summarise } from "../lib/stats.js";
import type { BenchContext } from "../run.js";

const TAG = "latest";

/** Runs the flux CLI; throws with its output when it fails. */
function flux(bin: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("close", (code) =>
      code === 0 ? done() : fail(new Error(`flux ${args.join(" ")} exited ${code}: ${out}`)),
    );
  });
}

const configMap = (value: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pushed\ndata:\n  value: "${value}"\n`;

/** What the scenario pushes with: the flux CLI, the registry, and a directory holding the app. */
interface Pusher {
  readonly fluxBin: string;
  readonly registry: Registry;
  readonly dir: string;
}

/** `flux push artifact` of a one-ConfigMap app holding `value` to `repository:latest`. */
async function push(p: Pusher, repository: string, value: string): Promise<void> {
  await writeFile(join(p.dir, "cm.yaml"), configMap(value));
  await flux(p.fluxBin, [
    "push",
    "artifact",
    `oci://${p.registry.host}/${repository}:${TAG}`,
    `--path=${p.dir}`,
    "--source=https://example.com/s8.git",
    `--revision=main@sha1:${value.padStart(40, "0")}`,
    "--insecure-registry",
  ]);
}

function ociRepository(ns: string, url: string): BenchObject {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "OCIRepository",
    metadata: { name: "s8", namespace: ns },
    spec: { url, ref: { tag: TAG }, interval: "1h", insecure: true },
  };
}

/** What one controller set did. */
interface OciRound {
  /** From `flux push artifact` starting to the new value read back from the API server. */
  pushToAppliedMs: number[];
  /** From the OCIRepository's reconcile request (made when the push returned) to applied. */
  requestToAppliedMs: number[];
  /** requestedAt → lastHandledReconcileAt on an unchanged tag. */
  noopMs: number[];
  /** Registry requests one no-op reconcile made (each run). */
  noopRequests: number[];
  rssKb: number;
}

/** Registry requests for `repository` so far. */
const requestsFor = (r: Registry, repository: string): number =>
  r.requests().filter((l) => l.includes(`/v2/${repository}/`)).length;

async function ociRound(ctx: BenchContext, set: ControllerSet, p: Pusher, runs: number): Promise<OciRound> {
  const repository = `s8/${set.label.toLowerCase()}`;
  return inRound(ctx, set, { scenario: "s8" }, async ({ kc, ns, controller }) => {
    await benchApply(kc, namespace(ns));
    await push(p, repository, "0");
    const oci = sharded(ociRepository(ns, `oci://${p.registry.host}/${repository}`), ns);
    const ks = kustomization(ns, "s8", { source: "s8", path: "./", targetNamespace: ns });
    const spec = ks.spec as Record<string, unknown>;
    const ksOnOci = sharded(
      { ...ks, spec: { ...spec, sourceRef: { kind: "OCIRepository", name: "s8" } } },
      ns,
    );
    await benchApply(kc, oci);
    await benchApply(kc, ksOnOci);
    await pollUntil(
      `Kustomization s8 Ready (${set.label})`,
      async () => (await fluxStatus(kc, ksOnOci)).ready,
      120_000,
      50,
    );
    const round: OciRound = {
      pushToAppliedMs: [],
      requestToAppliedMs: [],
      noopMs: [],
      noopRequests: [],
      rssKb: 0,
    };
    for (let i = 1; i <= runs; i++) {
      const value = String(i);
      const started = performance.now();
      await push(p, repository, value);
      const requested = performance.now();
      await requestReconcile(kc, oci);
      await pollUntil(
        `value ${value} applied (${set.label})`,
        async () => (await pushedValue(kc, ns)) === value,
        120_000,
        20,
      );
      round.pushToAppliedMs.push(performance.now() - started);
      round.requestToAppliedMs.push(performance.now() - requested);
    }
    for (let i = 0; i < runs; i++) {
      const before = requestsFor(p.registry, repository);
      const started = performance.now();
      const token = await requestReconcile(kc, oci);
      await pollUntil(
        `no-op reconcile (${set.label})`,
        async () => (await fluxStatus(kc, oci)).lastHandledReconcileAt === token,
        120_000,
        20,
      );
      round.noopMs.push(performance.now() - started);
      // The registry logs a request when it has answered it; let its output pipe catch up.
      await new Promise((r) => setTimeout(r, 300));
      round.noopRequests.push(requestsFor(p.registry, repository) - before);
    }
    round.rssKb = await controller.peakRssKb();
    return round;
  });
}

const median = (xs: number[]): number => summarise(xs).median;
const counts = (xs: number[]): string => `${Math.min(...xs)}–${Math.max(...xs)} (median ${median(xs)})`;

/**
 * S8 (issue 16): gitless GitOps. `flux push artifact` (the real CLI) to a real registry (CNCF
 * distribution on 127.0.0.1), then an OCIRepository reconcile request (as `flux reconcile source
 * oci` makes), until the Kustomization on it has applied the new content; then no-op reconciles on
 * an unchanged tag, with the registry requests each costs. mooring against Flux's
 * source-controller + kustomize-controller, each alone on a fresh control plane.
 */
export async function s8Oci(ctx: BenchContext): Promise<ScenarioReport> {
  const runs = ctx.quick ? 3 : 10;
  const cache = mooringCacheDir(process.env);
  const fluxBin = await ensureFluxCli({ cacheRoot: join(cache, "flux-cli"), log: ctx.log });
  const registry = await startRegistry(
    await ensureRegistry({ cacheRoot: join(cache, "oci-registry"), log: ctx.log }),
  );
  const dir = await mkdtemp(join(tmpdir(), "mooring-bench-s8-"));
  try {
    const pusher = { fluxBin, registry, dir };
    const m = await ociRound(ctx, MOORING, pusher, runs);
    const f = await ociRound(ctx, FLUX, pusher, runs);
    const mib = (kb: number): string => `${Math.round(kb / 1024)} MiB`;
    const timed = (label: string, pick: (r: OciRound) => number[]): string[] => [
      label,
      formatMs(summarise(pick(m))),
      formatMs(summarise(pick(f))),
      ratio(median(pick(f)), median(pick(m))),
    ];
    return {
      scenario: "S8",
      title: "OCI: `flux push artifact` → applied, and the no-op poll, against Flux's source-controller",
      header: ["measure", "mooring", "Flux", "ratio (Flux / mooring)"],
      rows: [
        timed("`flux push artifact` started → new value applied", (r) => r.pushToAppliedMs),
        timed("reconcile requested (push returned) → applied", (r) => r.requestToAppliedMs),
        timed("no-op reconcile, unchanged digest (requestedAt → handled)", (r) => r.noopMs),
        ["registry requests per no-op reconcile", counts(m.noopRequests), counts(f.noopRequests), ""],
        ["controller peak RSS", mib(m.rssKb), mib(f.rssKb), ratio(f.rssKb, m.rssKb)],
      ],
      notes: [
        `${runs} pushes of a one-ConfigMap app (a new value each) to one tag, each followed at once by a reconcile request on the OCIRepository (interval 1h), timed until the value is read back from the API server (20 ms polling); then ${runs} reconcile requests with nothing pushed. The push rows include the flux CLI's own run (process start, tar, upload), the same for both sets.`,
        "Registry requests are counted from the registry's access log (manifest and blob GETs and HEADs under the repository); token or auth round trips would show there too (none here: the registry runs without auth).",
        "The Kustomization (interval 1h, prune) applies the OCIRepository's artifact; mooring runs both as one process, Flux as source-controller and kustomize-controller (RSS summed).",
      ],
    };
  } finally {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
