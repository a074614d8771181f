import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "../../src/runtime/kube-request.js";
import { type ControllerSet, FLUX, MOORING } from "../lib/controller-sets.js";
import { fluxStatus, gitRepository, kustomization, namespace, sharded } from "../lib/gitops.js";
import { benchApply, pollUntil } from "../lib/kube.js";
import type { ScenarioReport } from "../lib/report.js";
import { inRound } from "../lib/round.js";
import { percentile, summarise } from "../lib/stats.js";
import type { BenchContext } from "../run.js";

/** Kustomizations the spread edits cycle over, and ConfigMaps in each. */
const SPREAD_KS = 10;
const PER_KS = 5;
/** The extra Kustomization that takes back-to-back edits, to show the drift limiter. */
const LIMITER_KS = SPREAD_KS;
const LIMITER_OBJECTS = 10;
/** mooring's default drift requeue burst (src/kustomization/options.ts); later ones are paced. */
const DRIFT_BURST = 5;

function configMaps(ns: string, ks: number, count: number): string {
  return Array.from({ length: count }, (_, i) =>
    [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      `  name: drift-${ks}-${i}`,
      `  namespace: ${ns}`,
      "data:",
      "  managed: desired",
    ].join("\n"),
  ).join("\n---\n");
}

const cmPath = (ns: string, ks: number, i: number): string =>
  `/api/v1/namespaces/${ns}/configmaps/drift-${ks}-${i}`;

/**
 * Edits a managed field as `kubectl patch` would (its field manager), then times the correction;
 * undefined when it was not corrected within `windowMs`.
 */
async function oneEdit(kc: KubeConfig, path: string, windowMs: number): Promise<number | undefined> {
  await kubeRequest(kc, path, {
    method: "PATCH",
    body: { data: { managed: "drifted" } },
    query: { fieldManager: "kubectl-patch" },
  });
  const started = performance.now();
  const deadline = started + windowMs;
  while (performance.now() < deadline) {
    const cm = await kubeRequest<{ data?: Record<string, string> }>(kc, path);
    if (cm.data?.["managed"] === "desired") return performance.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

/** Correction times of one round (undefined: not corrected within the window). */
interface DriftRound {
  spread: (number | undefined)[];
  backToBack: (number | undefined)[];
}

/** The round's Flux objects: one GitRepository, a Kustomization per directory, interval 1 h. */
async function createKustomizations(
  ctx: BenchContext,
  kc: KubeConfig,
  ns: string,
  url: string,
): Promise<void> {
  await benchApply(kc, namespace(ns));
  await benchApply(kc, sharded(gitRepository(ns, "s3", url), ns));
  for (let k = 0; k <= LIMITER_KS; k++) {
    const ks = sharded(kustomization(ns, `s3-${k}`, { source: "s3", path: `./ks-${k}`, interval: "1h" }), ns);
    await benchApply(kc, ks);
    await pollUntil(
      `Kustomization s3-${k} Ready`,
      async () => (await fluxStatus(kc, ks)).ready,
      120_000,
      250,
    );
  }
  ctx.log(`[bench] S3: ${LIMITER_KS + 1} Kustomizations Ready`);
}

/**
 * One controller set on a fresh control plane: `spread` sequential edits cycling over the first
 * ten Kustomizations (each sees one edit in ten), then `backToBack` sequential edits all on the
 * eleventh.
 */
async function driftRound(
  ctx: BenchContext,
  set: ControllerSet,
  edits: { spread: number; backToBack: number },
  windowMs: number,
): Promise<DriftRound> {
  return inRound(ctx, set, { scenario: "s3" }, async ({ kc, ns, server }) => {
    const repo = await server.createRepo("s3");
    const files: Record<string, string> = {};
    for (let k = 0; k < SPREAD_KS; k++) files[`ks-${k}/objects.yaml`] = configMaps(ns, k, PER_KS);
    files[`ks-${LIMITER_KS}/objects.yaml`] = configMaps(ns, LIMITER_KS, LIMITER_OBJECTS);
    await repo.commit({ files });
    await createKustomizations(ctx, kc, ns, repo.url);
    const spread: (number | undefined)[] = [];
    for (let e = 0; e < edits.spread; e++) {
      const path = cmPath(ns, e % SPREAD_KS, Math.floor(e / SPREAD_KS) % PER_KS);
      spread.push(await oneEdit(kc, path, windowMs));
    }
    const backToBack: (number | undefined)[] = [];
    for (let e = 0; e < edits.backToBack; e++)
      backToBack.push(await oneEdit(kc, cmPath(ns, LIMITER_KS, e % LIMITER_OBJECTS), windowMs));
    return { spread, backToBack };
  });
}

const corrected = (xs: (number | undefined)[]): number[] => xs.filter((x): x is number => x !== undefined);

function allCorrected(xs: (number | undefined)[], what: string): number[] {
  const ok = corrected(xs);
  if (ok.length !== xs.length)
    throw new Error(`S3: mooring left ${xs.length - ok.length} of ${what} uncorrected for 120 s`);
  return ok;
}

const row = (name: string, xs: number[], flux: string): string[] => {
  if (xs.length === 0) return [name, "-", "-", "-", flux];
  const t = summarise(xs);
  return [
    name,
    `${t.median.toFixed(0)} ms`,
    `${percentile(xs, 95).toFixed(0)} ms`,
    `${t.max.toFixed(0)} ms`,
    flux,
  ];
};

/**
 * S3: out-of-band edits of a managed field on objects of Kustomizations whose interval is 1 h;
 * time until the controller has put the field back. Flux corrects such drift only at the next
 * interval, so its edit is watched for a bounded window and reported as corrected or not.
 */
export async function s3Drift(ctx: BenchContext): Promise<ScenarioReport> {
  const edits = { spread: ctx.quick ? 10 : 50, backToBack: 10 };
  const fluxWindowMs = ctx.quick ? 20_000 : 60_000;
  const mooring = await driftRound(ctx, MOORING, edits, 120_000);
  const spread = allCorrected(mooring.spread, "the spread edits");
  const backToBack = allCorrected(mooring.backToBack, "the back-to-back edits");
  const flux = corrected((await driftRound(ctx, FLUX, { spread: 1, backToBack: 0 }, fluxWindowMs)).spread);
  const fluxCell =
    flux.length === 0
      ? `not corrected within ${fluxWindowMs / 1000} s; bound: the next interval, up to 3,600,000 ms`
      : `corrected in ${flux[0]?.toFixed(0) ?? "?"} ms`;
  return {
    scenario: "S3",
    title: `drift: ${edits.spread} out-of-band edits of a managed field over ${SPREAD_KS} Kustomizations (interval 1h), then ${edits.backToBack} back to back on one`,
    header: ["edits", "median", "p95", "max", "Flux (one edit, measured)"],
    rows: [
      row(`mooring: ${edits.spread} edits, one Kustomization in ten each`, spread, fluxCell),
      row(`mooring: ${edits.backToBack} back-to-back edits on one Kustomization`, backToBack, ""),
      row(`  of which the first ${DRIFT_BURST} (the drift burst)`, backToBack.slice(0, DRIFT_BURST), ""),
      row(`  of which the rest (drift limiter: 1 per 10 s)`, backToBack.slice(DRIFT_BURST), ""),
    ],
    notes: [
      `Edits are sequential, each a merge patch of data.managed on one ConfigMap with field manager kubectl-patch; time from the patch's response to the value read back as desired (20 ms polling). The spread edits cycle over ${SPREAD_KS} Kustomizations of ${PER_KS} ConfigMaps, so each Kustomization sees one edit in ten; the back-to-back edits all hit an eleventh Kustomization of ${LIMITER_OBJECTS}.`,
      "Back-to-back edits on one Kustomization hit mooring's per-Kustomization drift limiter on purpose (burst 5, then one drift requeue per 10 s, so a fight with another controller is not a hot loop): after the burst, a correction waits for the next token.",
      `Flux's kustomize-controller does not watch applied objects; it corrects drift at the next spec.interval. The bench makes one edit against it and watches it for ${fluxWindowMs / 1000} s; waiting out the full interval would take an hour per run, so the bound is stated instead.`,
    ],
  };
}
