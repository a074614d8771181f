/**
 * In-memory stand-ins for the reconciler's ports, for unit tests of the steps: a client that
 * stores objects and records status patches and events, an apply port that records calls and
 * answers from a script, and an HTTP server serving tarballs like the source controller does.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import pino from "pino";
import { pack } from "tar-stream";
import type { Artifact, Kustomization } from "../api/index.js";
import { type ChangeSetEntry, entryFor } from "../apply/changeset.js";
import type { ClusterTarget } from "../apply/cluster/apply-clusters.js";
import type {
  ApplyOptions,
  ApplyResult,
  ObjectDrift,
  DeleteResult,
  HealthOptions,
  ObjectRef,
  OwnerRef,
} from "../apply/cluster/types.js";
import { objMetadataOf, type KubeObject } from "../apply/types.js";
import type { EventRecord } from "../runtime/event-types.js";
import type { ObjectKey, ReconcileContext } from "../runtime/reconciler.js";
import { versionOf } from "../util/kube-object.js";
import type { ApplyPort, KustomizationClient, SourceKey, SourceObject } from "./ports.js";

const k = (key: ObjectKey): string => `${key.namespace}/${key.name}`;

/** A {@link KustomizationClient} over maps. */
export class FakeClient implements KustomizationClient {
  readonly kustomizations = new Map<string, Kustomization>();
  readonly sources = new Map<string, SourceObject>();
  readonly configs = new Map<string, Record<string, string>>();
  readonly serviceAccounts = new Set<string>();
  readonly events: EventRecord[] = [];
  statusPatches = 0;

  put(ks: Kustomization): void {
    this.kustomizations.set(
      k({ namespace: ks.metadata.namespace ?? "", name: ks.metadata.name ?? "" }),
      structuredClone(ks),
    );
  }
  get(namespace: string, name: string): Kustomization {
    const ks = this.kustomizations.get(`${namespace}/${name}`);
    if (!ks) throw new Error("no such Kustomization");
    return ks;
  }
  getKustomization(key: ObjectKey): Promise<Kustomization | undefined> {
    const ks = this.kustomizations.get(k(key));
    return Promise.resolve(ks && structuredClone(ks));
  }
  getKustomizationUncached(key: ObjectKey): Promise<Kustomization | undefined> {
    return this.getKustomization(key);
  }
  getSource(key: SourceKey): Promise<SourceObject | undefined> {
    return Promise.resolve(this.sources.get(`${key.kind}/${k(key)}`));
  }
  getConfigData(kind: "ConfigMap" | "Secret", key: ObjectKey): Promise<Record<string, string> | undefined> {
    return Promise.resolve(this.configs.get(`${kind}/${k(key)}`));
  }
  serviceAccountExists(key: ObjectKey): Promise<boolean> {
    return Promise.resolve(this.serviceAccounts.has(k(key)));
  }
  patchStatus(obj: Kustomization): Promise<string | undefined> {
    this.statusPatches++;
    const cur = this.get(obj.metadata.namespace ?? "", obj.metadata.name ?? "");
    cur.status = structuredClone(obj.status);
    return Promise.resolve(undefined);
  }
  setFinalizers(obj: Kustomization, finalizers: readonly string[]): Promise<string | undefined> {
    const cur = this.get(obj.metadata.namespace ?? "", obj.metadata.name ?? "");
    if (finalizers.length === 0 && cur.metadata.deletionTimestamp) {
      this.kustomizations.delete(`${obj.metadata.namespace}/${obj.metadata.name}`);
    } else cur.metadata.finalizers = [...finalizers];
    return Promise.resolve(undefined);
  }
  emitEvent(_obj: Kustomization, event: EventRecord): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
}

/** An {@link ApplyPort} that "applies" into a map and records every call. */
export class FakeApply implements ApplyPort {
  readonly live = new Map<string, KubeObject>();
  readonly calls: string[] = [];
  /** Ids whose delete fails. */
  readonly failDeletes = new Set<string>();
  /** Set to make the next health wait throw. */
  healthError: Error | undefined;
  applyError: Error | undefined;
  /** Drift the next applies report (corrected or detected). */
  drift: ObjectDrift[] = [];
  /** Options of the last apply. */
  lastOptions: ApplyOptions | undefined;

  private id(o: { kind: string; namespace: string; name: string }): string {
    return `${o.kind}/${o.namespace}/${o.name}`;
  }

  applyAllStaged(objects: readonly KubeObject[], options?: ApplyOptions): Promise<ApplyResult> {
    this.calls.push("apply");
    this.lastOptions = options;
    if (this.applyError) return Promise.reject(this.applyError);
    const entries: ChangeSetEntry[] = objects.map((o) => {
      const meta = objMetadataOf(o);
      const prev = this.live.get(this.id(meta));
      this.live.set(this.id(meta), o);
      const action =
        prev === undefined
          ? "created"
          : JSON.stringify(prev) === JSON.stringify(o)
            ? "unchanged"
            : "configured";
      return entryFor(meta, versionOf(o.apiVersion), action);
    });
    const stats = {
      cacheHits: 0,
      gets: 0,
      dryRuns: 0,
      applies: entries.length,
      cleanupPatches: 0,
      recreated: 0,
    };
    return Promise.resolve({ entries, stats, drift: [...this.drift], currentWhenApplied: new Set<string>() });
  }

  deleteStale(stale: readonly ObjectRef[]): Promise<DeleteResult> {
    this.calls.push(`delete ${stale.map((s) => s.name).join(",")}`);
    const entries: ChangeSetEntry[] = [];
    const failed: { object: ObjectRef; error: string }[] = [];
    for (const s of [...stale].reverse()) {
      if (this.failDeletes.has(s.name)) {
        failed.push({ object: s, error: `${s.kind}/${s.name} delete failed: forbidden` });
        continue;
      }
      this.live.delete(this.id(s));
      entries.push(entryFor(s, s.version, "deleted"));
    }
    return Promise.resolve({ entries, failed });
  }

  /** The options of every health wait, in order. */
  readonly healthOptions: HealthOptions[] = [];

  waitForHealthy(refs: readonly ObjectRef[], options: HealthOptions): Promise<void> {
    this.healthOptions.push(options);
    this.calls.push(`health ${refs.map((r) => `${r.kind}/${r.name}`).join(",")}`);
    return this.healthError ? Promise.reject(this.healthError) : Promise.resolve();
  }

  objectExists(ref: ObjectRef): Promise<boolean> {
    return Promise.resolve(this.live.has(this.id(ref)));
  }

  /** The local cluster only: a remote target is a test bug, never a fallback. */
  select(_owner: OwnerRef, target: ClusterTarget | undefined): ApplyPort {
    if (target !== undefined) throw new Error("FakeApply has no remote clusters");
    return this;
  }
}

/** Kustomization `flux/<name>` with the finalizer, applying `./deploy` of GitRepository `repo`. */
export function testKustomization(name: string, spec: Partial<Kustomization["spec"]> = {}): Kustomization {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: "flux", generation: 1, finalizers: ["finalizers.fluxcd.io"] },
    spec: {
      interval: "1h",
      prune: true,
      path: "./deploy",
      sourceRef: { kind: "GitRepository", name: "repo" },
      ...spec,
    },
  };
}

/** A reconcile context for tests. */
export function testContext(): ReconcileContext {
  return {
    log: pino({ level: "silent" }),
    signal: new AbortController().signal,
    reconcileID: "test",
    now: () => new Date(),
  };
}

/** Serves tarballs of inline trees at `/<name>.tar.gz`, like the source controller's file server. */
export class ArtifactServer {
  private server: Server | undefined;
  private base = "";
  private readonly files = new Map<string, Buffer>();

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const body = this.files.get(req.url ?? "");
      if (body) res.writeHead(200).end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): void {
    this.server?.close();
  }

  /** Publishes a tree as an artifact with the given revision. */
  async publish(name: string, revision: string, files: Record<string, string>): Promise<Artifact> {
    const p = pack();
    for (const [path, text] of Object.entries(files)) p.entry({ name: path }, text);
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const c of p) chunks.push(Buffer.from(c as Uint8Array));
    const body = gzipSync(Buffer.concat(chunks));
    this.files.set(`/${name}.tar.gz`, body);
    return {
      path: `gitrepository/ns/${name}.tar.gz`,
      url: `${this.base}/${name}.tar.gz`,
      revision,
      digest: `sha256:${createHash("sha256").update(body).digest("hex")}`,
      lastUpdateTime: new Date().toISOString(),
      size: body.length,
    };
  }
}
