/**
 * The memory behind cheap no-op reconciles and fast drift correction (issue 6 items 3 and 9).
 *
 * - A watch-backed mirror of every object carrying the owner label, one runtime {@link Informer}
 *   per kind (its store keeps only identity metadata), started the first time a kind is applied,
 *   as the controller's own identity.
 * - Per Kustomization, a record of what each object was last applied as: the rendered hash, the
 *   live resourceVersion and content fingerprint the apply produced, and the hash of the fields
 *   our manager owns.
 *
 * An object may skip its GET and dry-run only when its rendered hash equals the record and the
 * mirror (synced) still holds it at the recorded resourceVersion or with the recorded content.
 * Any doubt means a dry-run. A change that takes fields away from our manager, or a delete, by
 * anyone but our own apply is reported to the drift listeners.
 */
import { objectId } from "../inventory.js";
import { OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL } from "../../api/constants.js";
import { objMetadataOf, type KubeObject } from "../types.js";
import { type RestMapping } from "./discovery.js";
import { contentFingerprint, lastManager, ownedFieldsHash } from "./fingerprint.js";
import type { KubeHttp } from "./http.js";
import { refOf } from "./object-client.js";
import { Informer } from "../../runtime/informer/informer.js";
import { sharedStrings } from "../../runtime/informer/shared-strings.js";
import type { DriftEvent, DriftListener, OwnerRef } from "./types.js";

interface Mirrored {
  readonly uid: string;
  readonly resourceVersion: string;
  readonly fingerprint: string;
}

/** What an object was last applied as. */
export interface AppliedRecord {
  readonly hash: string;
  readonly uid: string;
  resourceVersion: string;
  fingerprint: string;
  readonly ownedFields: string;
  /** A stage wait saw it Current after this apply: an unchanged object needs no new wait. */
  ready: boolean;
  /**
   * Left drifted (detect-only): the next apply must look again rather than trust the cache, yet
   * the record stays so that further changes are still reported as drift.
   */
  readonly recheck: boolean;
}

interface Pending {
  readonly events: { type: "MODIFIED" | "DELETED"; obj: KubeObject; fingerprint: string }[];
}

/** One flat string (join, not a rope): a key of the records for the Kustomization's lifetime. */
const ownerKey = (o: OwnerRef): string => [o.namespace, o.name].join("/");
const kindKey = (m: Pick<RestMapping, "apiVersion" | "kind">): string => `${m.apiVersion}/${m.kind}`;

/** The mirror, the records and the drift listeners of one controller. */
export class OwnedObjects {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly mirror = new Map<string, Map<string, Mirrored>>();
  private readonly records = new Map<string, Map<string, AppliedRecord>>();
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<DriftListener>();

  constructor(
    private readonly http: KubeHttp,
    private readonly fieldManager: string,
  ) {}

  /** Starts mirroring a kind (all namespaces, owner-labelled objects only), once. */
  watch(mapping: RestMapping, collectionPath: string): void {
    const key = kindKey(mapping);
    if (this.informers.has(key)) return;
    const store = new Map<string, Mirrored>();
    this.mirror.set(key, store);
    const informer = new Informer<KubeObject>({
      name: `owned ${key}`,
      source: this.http.listWatcher<KubeObject>(collectionPath, { labelSelector: OWNER_NAME_LABEL }),
      transform: identityOnly,
      backoffMs: { initial: 500, max: 30_000 },
    });
    informer.addHandler({
      onAdd: (obj) => this.onEvent(store, "ADDED", obj),
      onUpdate: (_, obj) => this.onEvent(store, "MODIFIED", obj),
      onDelete: (obj) => this.onEvent(store, "DELETED", obj),
    });
    this.informers.set(key, informer);
    informer.start();
  }

  /** True when `obj` (prepared, with rendered hash `hash`) may skip the GET and dry-run. */
  canSkip(owner: OwnerRef, obj: KubeObject, hash: string): boolean {
    const id = objectId(objMetadataOf(obj));
    const record = this.records.get(ownerKey(owner))?.get(id);
    if (record?.hash !== hash || record.recheck || this.pending.has(id)) return false;
    const seen = this.mirrored(obj, id);
    return seen !== undefined && seen.uid === record.uid && unchangedSince(seen, record);
  }

  /** The object as the watch mirror last saw it, once that kind's mirror is complete. */
  private mirrored(obj: KubeObject, id: string): Mirrored | undefined {
    const key = kindKey(obj);
    return this.informers.get(key)?.isCurrent() === true ? this.mirror.get(key)?.get(id) : undefined;
  }

  /** Marks an object as being written by us: its watch events wait for {@link settle}. */
  begin(obj: KubeObject): void {
    this.pending.set(objectId(objMetadataOf(obj)), { events: [] });
  }

  /** The rendered hash `id` was last applied (or checked) with, if recorded. */
  appliedHash(owner: OwnerRef, id: string): string | undefined {
    return this.records.get(ownerKey(owner))?.get(id)?.hash;
  }

  /**
   * Records the live object an apply (or an unchanged dry-run) left, then replays the events
   * that arrived meanwhile: only those after our own write can be drift. `recheck`: the object
   * was left drifted on purpose (detect-only), so the cache must not vouch for it.
   */
  settle(
    owner: OwnerRef,
    live: KubeObject | undefined,
    hash: string | undefined,
    { id, recheck = false }: { readonly id?: string; readonly recheck?: boolean } = {},
  ): void {
    const key = id ?? (live ? objectId(objMetadataOf(live)) : "");
    const pending = this.pending.get(key);
    this.pending.delete(key);
    const records = this.recordsOf(owner);
    if (live === undefined || hash === undefined) records.delete(key);
    else records.set(key, this.recordOf(live, hash, recheck));
    this.replayAfter(pending?.events ?? [], live);
  }

  /** Judges the events that arrived after our own write of `live` (earlier ones are ours). */
  private replayAfter(events: Pending["events"], live: KubeObject | undefined): void {
    const ours = events.findIndex((e) => e.obj.metadata.resourceVersion === live?.metadata.resourceVersion);
    for (const e of ours === -1 ? [] : events.slice(ours + 1)) this.judge(e.type, e.obj, e.fingerprint);
  }

  /** Marks objects as seen Current after their last apply. */
  markReady(owner: OwnerRef, ids: readonly string[]): void {
    for (const id of ids) {
      const record = this.records.get(ownerKey(owner))?.get(id);
      if (record) record.ready = true;
    }
  }

  /** Whether the object was seen Current after its last apply. */
  isReady(owner: OwnerRef, id: string): boolean {
    return this.records.get(ownerKey(owner))?.get(id)?.ready === true;
  }

  /** Forgets records (objects pruned, or the Kustomization deleted when `ids` is undefined). */
  forget(owner: OwnerRef, ids?: readonly string[]): void {
    if (ids === undefined) this.records.delete(ownerKey(owner));
    else for (const id of ids) this.records.get(ownerKey(owner))?.delete(id);
  }

  /** Subscribes to drift events; returns the unsubscribe function. */
  onDrift(listener: DriftListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when every started watch has a complete mirror. */
  synced(): boolean {
    return [...this.informers.values()].every((i) => i.isCurrent());
  }

  /** Stops every watch. */
  close(): void {
    for (const i of this.informers.values()) void i.stop();
    this.informers.clear();
  }

  private recordsOf(owner: OwnerRef): Map<string, AppliedRecord> {
    let m = this.records.get(ownerKey(owner));
    if (!m) {
      m = new Map<string, AppliedRecord>();
      this.records.set(ownerKey(owner), m);
    }
    return m;
  }

  private recordOf(live: KubeObject, hash: string, recheck: boolean): AppliedRecord {
    const seen = this.mirror.get(kindKey(live))?.get(objectId(objMetadataOf(live)));
    const { uid, resourceVersion, fingerprint } = fromMirror(seen, live);
    return {
      recheck,
      hash,
      uid,
      resourceVersion,
      fingerprint: fingerprint ?? contentFingerprint(live),
      ownedFields: ownedFieldsHash(live, this.fieldManager),
      ready: false,
    };
  }

  private onEvent(
    store: Map<string, Mirrored>,
    type: "ADDED" | "MODIFIED" | "DELETED",
    obj: KubeObject,
  ): void {
    const id = objectId(objMetadataOf(obj));
    const fingerprint = type === "DELETED" ? "" : this.fingerprintOf(obj, id);
    if (type === "DELETED") store.delete(id);
    else
      store.set(id, {
        uid: obj.metadata.uid ?? "",
        resourceVersion: obj.metadata.resourceVersion ?? "",
        fingerprint,
      });
    if (type === "ADDED") return;
    const pending = this.pending.get(id);
    if (pending) pending.events.push({ type, obj, fingerprint });
    else this.judge(type, obj, fingerprint);
  }

  /**
   * The content fingerprint of a watched object: the one recorded at apply when this is the
   * version our apply left (the event of our own write), else computed, once per event.
   */
  private fingerprintOf(obj: KubeObject, id: string): string {
    const owner = ownerOf(obj);
    const record = owner ? this.records.get(ownerKey(owner))?.get(id) : undefined;
    if (
      record !== undefined &&
      record.uid === obj.metadata.uid &&
      record.resourceVersion === obj.metadata.resourceVersion
    )
      return record.fingerprint;
    return contentFingerprint(obj);
  }

  /**
   * Whether a modification took fields away from our manager. A change that leaves our fields
   * and the content alone (status, a controller's own fields) advances the recorded version.
   */
  private takenAway(obj: KubeObject, record: AppliedRecord, fingerprint: string): boolean {
    if (obj.metadata.resourceVersion === record.resourceVersion) return false;
    if (ownedFieldsHash(obj, this.fieldManager) !== record.ownedFields) return true;
    if (fingerprint === record.fingerprint) record.resourceVersion = obj.metadata.resourceVersion ?? "";
    return false;
  }

  /** Decides whether an event from the watch is someone else's change to what we applied. */
  private judge(type: "MODIFIED" | "DELETED", obj: KubeObject, fingerprint: string): void {
    const found = this.appliedBy(obj);
    if (found === undefined) return;
    if (type === "MODIFIED" && !this.takenAway(obj, found.record, fingerprint)) return;
    const event = driftEvent(found.owner, type, obj);
    for (const l of this.listeners) l(event);
  }

  /**
   * The Kustomization that applied `obj` and its record: found through the owner labels, or, when
   * someone changed or removed those labels (the watch then reports a change or, once the object
   * leaves its selector, a delete), through the records themselves, so tampering with the owner
   * label is corrected as fast as any other field.
   */
  private appliedBy(obj: KubeObject): { owner: OwnerRef; record: AppliedRecord } | undefined {
    const id = objectId(objMetadataOf(obj));
    const uid = obj.metadata.uid;
    const labelled = ownerOf(obj);
    const record = labelled ? this.records.get(ownerKey(labelled))?.get(id) : undefined;
    if (labelled !== undefined && record !== undefined && record.uid === uid)
      return { owner: labelled, record };
    for (const [key, records] of this.records) {
      const r = records.get(id);
      if (r !== undefined && r.uid === uid) return { owner: parseOwnerKey(key), record: r };
    }
    return undefined;
  }
}

function parseOwnerKey(key: string): OwnerRef {
  const slash = key.indexOf("/");
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * The identity of `live` for its record, taken from what the mirror holds where equal, so that the
 * record and the mirror share one copy of each string (issue 19). The watch may have delivered this
 * very version already: then its fingerprint is the same too.
 */
function fromMirror(
  seen: Mirrored | undefined,
  live: KubeObject,
): { uid: string; resourceVersion: string; fingerprint?: string } {
  const resourceVersion = live.metadata.resourceVersion ?? "";
  if (seen === undefined || seen.uid !== live.metadata.uid)
    return { uid: live.metadata.uid ?? "", resourceVersion };
  return seen.resourceVersion === resourceVersion ? seen : { uid: seen.uid, resourceVersion };
}

/** The mirror still shows the object as we left it (same version, or same content). */
function unchangedSince(seen: Mirrored, record: AppliedRecord): boolean {
  return seen.resourceVersion === record.resourceVersion || seen.fingerprint === record.fingerprint;
}

/**
 * What the informer's store keeps: enough to name the object and its owner (a delete learnt from a
 * relist is judged on it); the content lives in the mirror as a fingerprint. Of the labels only the
 * owner's, and the strings thousands of objects repeat as one shared copy (issue 19).
 */
function identityOnly(obj: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, labels } = obj.metadata;
  return {
    apiVersion: sharedStrings.shared(obj.apiVersion),
    kind: sharedStrings.shared(obj.kind),
    metadata: {
      name,
      namespace: namespace === undefined ? undefined : sharedStrings.shared(namespace),
      uid,
      resourceVersion,
      labels: ownerLabels(labels ?? {}),
    },
  };
}

/** The owner labels of `labels` (those {@link ownerOf} reads), values shared. */
function ownerLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL]) {
    const value = labels[key];
    if (value !== undefined) out[key] = sharedStrings.shared(value);
  }
  return out;
}

function driftEvent(owner: OwnerRef, type: "MODIFIED" | "DELETED", obj: KubeObject): DriftEvent {
  if (type === "DELETED") return { owner, object: refOf(obj), kind: "deleted" };
  return { owner, object: refOf(obj), kind: "modified", manager: lastManager(obj) };
}

function ownerOf(obj: KubeObject): OwnerRef | undefined {
  const labels = obj.metadata.labels ?? {};
  const name = labels[OWNER_NAME_LABEL];
  const namespace = labels[OWNER_NAMESPACE_LABEL];
  return name && namespace ? { name, namespace } : undefined;
}
