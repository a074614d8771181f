import { describe, expect, it } from "vitest";
import { eventually } from "../../../test/support/eventually.js";
import { Informer } from "./informer.js";
import { GoneError, type ListWatcher, type WatchEvent } from "./types.js";

type Obj = { metadata: { name: string; namespace: string; resourceVersion: string; generation?: number } };

/** A scripted API server: history of events by RV, compaction, cuttable watches. */
class FakeServer implements ListWatcher<Obj> {
  rv = 0;
  objects = new Map<string, Obj>();
  history: { rv: number; event: WatchEvent<Obj> }[] = [];
  compactedBelow = 0;
  listFailures = 0;
  gone410AsEvent = false;
  private subscribers = new Set<{
    since: number;
    push: (e: WatchEvent<Obj>) => void;
    fail: (e: Error) => void;
  }>();

  put(name: string, generation = 1) {
    const obj = { metadata: { name, namespace: "ns", resourceVersion: String(++this.rv), generation } };
    const type = this.objects.has(name) ? "MODIFIED" : "ADDED";
    this.objects.set(name, obj);
    this.emit({ type, object: obj });
  }
  remove(name: string) {
    const old = this.objects.get(name)!;
    this.objects.delete(name);
    const obj = { metadata: { ...old.metadata, resourceVersion: String(++this.rv) } };
    this.emit({ type: "DELETED", object: obj });
  }
  private emit(event: WatchEvent<Obj>) {
    this.history.push({ rv: this.rv, event });
    for (const s of this.subscribers) s.push(event);
  }
  compact() {
    this.compactedBelow = this.rv + 1;
  }
  cutWatches() {
    for (const s of [...this.subscribers]) s.fail(new Error("connection reset"));
  }
  get watching() {
    return this.subscribers.size;
  }

  async list() {
    if (this.listFailures > 0) {
      this.listFailures--;
      throw new Error("list: connection refused");
    }
    return { items: [...this.objects.values()], resourceVersion: String(this.rv) };
  }

  watch(resourceVersion: string, onEvent: (e: WatchEvent<Obj>) => void, signal: AbortSignal): Promise<void> {
    const since = Number(resourceVersion);
    return new Promise<void>((resolve, reject) => {
      if (since < this.compactedBelow - 1) {
        if (this.gone410AsEvent) {
          onEvent({ type: "ERROR", code: 410, reason: "Expired", message: "too old resource version" });
          return signal.aborted ? resolve() : undefined;
        }
        return reject(new GoneError("too old"));
      }
      for (const h of this.history) if (h.rv > since) onEvent(h.event);
      const sub = {
        since,
        push: onEvent,
        fail: (e: Error) => (this.subscribers.delete(sub), reject(e)),
      };
      this.subscribers.add(sub);
      signal.addEventListener("abort", () => (this.subscribers.delete(sub), resolve()), { once: true });
    });
  }
}

const fast = { initial: 1, max: 5 };

const until = (cond: () => boolean, what: string): Promise<true> =>
  eventually(what, async () => (cond() ? true : undefined), undefined, { intervalMs: 2, timeoutMs: 5000 });

function recorder(inf: Informer<Obj>) {
  const log: string[] = [];
  inf.addHandler({
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onUpdate: (_o, n) => log.push(`update ${n.metadata.name}`),
    onDelete: (o, i) => log.push(`${i.finalStateUnknown ? "synthetic-" : ""}delete ${o.metadata.name}`),
  });
  return log;
}

describe("Informer", () => {
  it("lists, syncs and follows watch events", async () => {
    const server = new FakeServer();
    server.put("a");
    const inf = new Informer<Obj>({ name: "t", source: server, backoffMs: fast });
    const log = recorder(inf);
    inf.start();
    await inf.waitForSync();
    expect(inf.hasSynced()).toBe(true);
    await until(() => server.watching === 1, "watch");
    server.put("b");
    server.put("a", 2);
    server.remove("b");
    await until(() => log.length === 4, "events");
    expect(log).toEqual(["add a", "add b", "update a", "delete b"]);
    expect(inf.store.keys()).toEqual(["ns/a"]);
    await inf.stop();
  });

  it("sees everything that changed while the watch was cut, then resumes", async () => {
    const server = new FakeServer();
    server.put("keep");
    server.put("gone");
    const inf = new Informer<Obj>({ name: "t", source: server, backoffMs: fast });
    const log = recorder(inf);
    inf.start();
    await until(() => server.watching === 1, "watch");
    server.cutWatches();
    server.put("new");
    server.put("keep", 2);
    server.remove("gone");
    await until(() => server.watching === 1, "rewatch");
    await until(() => log.length === 5, "replayed events");
    expect(log.slice(2)).toEqual(["add new", "update keep", "delete gone"]);
    expect(inf.stats.watchErrors).toBe(1);
    await inf.stop();
  });

  it.each([false, true])("relists on 410 (as event: %s) with synthetic deletes", async (asEvent) => {
    const server = new FakeServer();
    server.gone410AsEvent = asEvent;
    server.put("a");
    server.put("b");
    const inf = new Informer<Obj>({ name: "t", source: server, backoffMs: fast });
    const log = recorder(inf);
    inf.start();
    await until(() => server.watching === 1, "watch");
    server.cutWatches();
    server.remove("b");
    server.put("c");
    server.put("a", 2);
    server.compact(); // history gone: resuming from the old RV fails with 410
    await until(() => inf.stats.gone === 1 && server.watching === 1, "relist");
    expect(log.slice(2).sort()).toEqual(["add c", "synthetic-delete b", "update a"]);
    expect(inf.store.keys().sort()).toEqual(["ns/a", "ns/c"]);
    expect(inf.stats.lists).toBe(2);
    await inf.stop();
  });

  it("retries a failing list forever with backoff and syncs when it recovers", async () => {
    const server = new FakeServer();
    server.put("a");
    server.listFailures = 4;
    const inf = new Informer<Obj>({ name: "t", source: server, backoffMs: fast });
    inf.start();
    await inf.waitForSync();
    expect(inf.stats.listErrors).toBe(4);
    expect(inf.store.size).toBe(1);
    await inf.stop();
  });

  it("ignores events whose resourceVersion equals the cached one", async () => {
    const server = new FakeServer();
    server.put("a");
    const inf = new Informer<Obj>({ name: "t", source: server, backoffMs: fast });
    const log = recorder(inf);
    inf.start();
    await until(() => server.watching === 1, "watch");
    server.cutWatches();
    // The relist/rewatch replays nothing new; the same object at the same RV must not re-trigger.
    await until(() => server.watching === 1, "rewatch");
    expect(log).toEqual(["add a"]);
    await inf.stop();
  });

  it("replays cached objects to late handlers and survives a throwing handler", async () => {
    const server = new FakeServer();
    server.put("a");
    const inf = new Informer<Obj>({ name: "t", source: server, backoffMs: fast });
    inf.addHandler({
      onAdd: () => {
        throw new Error("bad handler");
      },
    });
    inf.start();
    await inf.waitForSync();
    const log = recorder(inf);
    expect(log).toEqual(["add a"]);
    await inf.stop();
  });

  it("resumes an idle watch closed by the server without backing off", async () => {
    const watches: number[] = [];
    const source: ListWatcher<Obj> = {
      list: async () => ({ items: [], resourceVersion: "5" }),
      watch: (_rv, _on, signal) => {
        watches.push(Date.now());
        // Stays open (idle) for a while, then the server ends it, as timeoutSeconds does.
        return new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 1100);
          signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
        });
      },
    };
    const inf = new Informer<Obj>({ name: "t", source, backoffMs: { initial: 60_000, max: 60_000 } });
    inf.start();
    await until(() => watches.length >= 3, "three consecutive watches");
    expect(inf.stats.watchErrors).toBe(0);
    await inf.stop();
  });
});
