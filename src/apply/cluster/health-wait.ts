/**
 * Waiting for objects to become healthy, driven by watch events (not a poll): one list+watch per
 * kind and namespace, the kstatus rules of `src/apply/health/` on every event, and Flux's end
 * conditions and messages from `health/wait.ts`. A slow tick re-evaluates time-dependent rules
 * (a Pod's scheduling window) without any request.
 */
import { computeStatus, type StatusContext } from "../health/kstatus.js";
import { healthFailureMessage, waitIsOver, type HealthReport } from "../health/wait.js";
import { objectId } from "../inventory.js";
import { objMetadataOf, type KubeObject } from "../types.js";
import { collectionPath, type RestMapping } from "./discovery.js";
import { HealthCancelledError, HealthCheckError } from "./errors.js";
import { apiVersionOf, type ObjectClient } from "./object-client.js";
import { Informer } from "../../runtime/informer/informer.js";
import type { HealthOptions, ObjectRef } from "./types.js";

interface Watched {
  readonly ref: ObjectRef;
  /** undefined: not listed yet; null: listed and absent. */
  obj: KubeObject | null | undefined;
  jobWithTTL: boolean;
  error?: string;
}

const RETICK_MS = 5_000;

function report(w: Watched, ctx: StatusContext): HealthReport {
  if (w.obj === undefined) {
    // Never read: say why (e.g. the impersonated user may not list this kind).
    const result = w.error === undefined ? undefined : { status: "Unknown" as const, message: w.error };
    return { ref: w.ref, result, jobWithTTL: w.jobWithTTL, ...(w.error !== undefined && { error: w.error }) };
  }
  const result = computeStatus(w.obj ?? undefined, ctx);
  const detail = result.status !== "Current" ? result.message : undefined;
  const error = [detail, w.error].filter((s) => s !== undefined && s !== "").join("; ");
  return { ref: w.ref, result, jobWithTTL: w.jobWithTTL, ...(error !== "" && { error }) };
}

interface Group {
  readonly mapping: RestMapping;
  readonly path: string;
  readonly list: Watched[];
}

async function groups(client: ObjectClient, refs: readonly ObjectRef[]): Promise<Group[]> {
  const out = new Map<string, Group>();
  for (const ref of refs) {
    const mapping = await client.mapper.mapping(apiVersionOf(ref), ref.kind);
    const path = collectionPath(mapping, mapping.namespaced ? ref.namespace : undefined);
    const group = out.get(path) ?? { mapping, path, list: [] };
    group.list.push({ ref, obj: undefined, jobWithTTL: false });
    out.set(path, group);
  }
  return [...out.values()];
}

const hasTTL = (obj: KubeObject): boolean =>
  typeof (obj.spec as { ttlSecondsAfterFinished?: unknown } | undefined)?.ttlSecondsAfterFinished ===
  "number";

/** One informer over a group's collection, keeping each watched entry up to date. */
function track(client: ObjectClient, group: Group, onChange: () => void): () => void {
  const { list, path } = group;
  const byId = new Map(list.map((w) => [objectId(w.ref), w]));
  const set = (obj: KubeObject, gone: boolean): void => {
    const w = byId.get(objectId(objMetadataOf(obj)));
    if (!w) return;
    w.obj = gone ? null : obj;
    if (!gone) w.jobWithTTL = obj.kind === "Job" && hasTTL(obj);
    delete w.error;
    onChange();
  };
  const single = list.length === 1 ? `metadata.name=${list[0]?.ref.name ?? ""}` : undefined;
  const informer = new Informer<KubeObject>({
    name: `health ${path}`,
    source: client.http.listWatcher<KubeObject>(path, { fieldSelector: single }),
    onError: (err) => {
      for (const w of list) w.error = err instanceof Error ? err.message : String(err);
      onChange();
    },
    backoffMs: { initial: 500, max: 30_000 },
  });
  informer.addHandler({
    onAdd: (obj) => set(obj, false),
    onUpdate: (_, obj) => set(obj, false),
    onDelete: (obj) => set(obj, true),
  });
  // Listed: what the list did not hold is absent (null), no longer unknown.
  const stopped = new AbortController();
  informer.waitForSync(stopped.signal).then(
    () => {
      for (const w of list) if (w.obj === undefined) w.obj = null;
      onChange();
    },
    () => undefined,
  );
  informer.start();
  return () => {
    stopped.abort();
    void informer.stop();
  };
}

/**
 * Resolves when every object is Current; rejects with {@link HealthCheckError} at the timeout
 * (`timeout waiting for: [...]`) or at the first Failed object with fail-fast, and with
 * {@link HealthCancelledError} when the signal aborts.
 */
export async function waitForHealthy(
  client: ObjectClient,
  refs: readonly ObjectRef[],
  options: HealthOptions,
): Promise<void> {
  if (refs.length === 0) return;
  const byPath = await groups(client, refs);
  const all = byPath.flatMap((g) => g.list);
  const stops: (() => void)[] = [];
  const cleanup: (() => void)[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const evaluate = (timedOut: boolean): void => {
        const reports = all.map((w) => report(w, { now: Date.now(), custom: options.custom }));
        if (!timedOut && !waitIsOver(reports, options.failFast ?? true)) return;
        const message = healthFailureMessage(reports, timedOut);
        if (message === undefined) resolve();
        else reject(new HealthCheckError(message));
      };
      const onAbort = (): void => reject(new HealthCancelledError("health check cancelled"));
      if (options.signal?.aborted === true) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(() => evaluate(true), options.timeoutMs);
      const tick = setInterval(() => evaluate(false), RETICK_MS);
      cleanup.push(() => {
        clearTimeout(timer);
        clearInterval(tick);
        options.signal?.removeEventListener("abort", onAbort);
      });
      for (const group of byPath) stops.push(track(client, group, () => evaluate(false)));
    });
  } finally {
    for (const c of cleanup) c();
    for (const stop of stops) stop();
  }
}
