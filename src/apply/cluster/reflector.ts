/**
 * List-then-watch of one collection, reconnecting forever: the building block of the owned-object
 * cache and the health wait. Like client-go's reflector it resumes from the last resourceVersion
 * seen, asks for bookmarks, relists on 410 Gone, and backs off after errors. `synced` is true only
 * while the mirror is known to be complete (after a list, until the next error).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeObject } from "../types.js";
import { isGone, KubeApiError } from "./errors.js";
import { HttpMethod, type KubeHttp } from "./http.js";

/** A watch event as the API server sends it. */
export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  readonly object: KubeObject;
}

/** What a reflector reports. */
export interface ReflectorHandler {
  /** A full list: the mirror is exactly these objects. */
  replace(items: readonly KubeObject[]): void;
  /** One change after the list. */
  event(type: "ADDED" | "MODIFIED" | "DELETED", obj: KubeObject): void;
  /** The list or watch failed (e.g. 403); the reflector keeps retrying. */
  error?(err: unknown): void;
}

/** Where and what to mirror. */
export interface ReflectorOptions {
  readonly path: string;
  /** List items come without apiVersion and kind; these are filled in. */
  readonly apiVersion: string;
  readonly kind: string;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** Retry delay after an error (ms); doubles up to 30 s. */
  readonly backoffMs?: number | undefined;
}

/** Mirrors one collection until stopped. */
export class Reflector {
  private readonly abort = new AbortController();
  private resourceVersion = "";
  private isSynced = false;
  private backoff: number;

  constructor(
    private readonly http: KubeHttp,
    private readonly options: ReflectorOptions,
    private readonly handler: ReflectorHandler,
  ) {
    this.backoff = options.backoffMs ?? 500;
  }

  /** True between a successful list and the next error. */
  get synced(): boolean {
    return this.isSynced;
  }

  /** Starts the loop in the background. */
  start(): this {
    void this.loop();
    return this;
  }

  /** Stops the loop and closes the watch. */
  stop(): void {
    this.isSynced = false;
    this.abort.abort();
  }

  private selectors(): Record<string, string | undefined> {
    return { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector };
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        if (this.resourceVersion === "") await this.list();
        const started = Date.now();
        await this.watch();
        // A watch the server ends at once, over and over, must not become a hot loop.
        if (Date.now() - started < 1_000) await this.pause();
        else this.backoff = this.options.backoffMs ?? 500;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.isSynced = false;
        if (isGone(err)) {
          this.resourceVersion = "";
          continue;
        }
        this.resourceVersion = "";
        this.handler.error?.(err);
        await this.pause();
      }
    }
  }

  private async pause(): Promise<void> {
    await sleep(this.backoff, undefined, { signal: this.abort.signal }).catch(() => undefined);
    this.backoff = Math.min(this.backoff * 2, 30_000);
  }

  private async list(): Promise<void> {
    const list = await this.http.request<{ items?: KubeObject[]; metadata?: { resourceVersion?: string } }>({
      verb: "list",
      method: HttpMethod.GET,
      path: this.options.path,
      query: this.selectors(),
      signal: this.abort.signal,
    });
    this.resourceVersion = list.metadata?.resourceVersion ?? "";
    const { apiVersion, kind } = this.options;
    this.handler.replace((list.items ?? []).map((item) => ({ ...item, apiVersion, kind })));
    this.isSynced = true;
  }

  private async watch(): Promise<void> {
    const events = this.http.stream<WatchEvent>({
      verb: "watch",
      method: HttpMethod.GET,
      path: this.options.path,
      query: {
        ...this.selectors(),
        watch: "true",
        allowWatchBookmarks: "true",
        resourceVersion: this.resourceVersion,
        timeoutSeconds: "300",
      },
      signal: this.abort.signal,
    });
    for await (const e of events) {
      if (e.type === "ERROR") {
        const status = e.object as unknown as { code?: number; message?: string };
        throw new KubeApiError(status.code ?? 500, status, "watch");
      }
      this.resourceVersion = e.object.metadata.resourceVersion ?? this.resourceVersion;
      if (e.type !== "BOOKMARK") this.handler.event(e.type, e.object);
    }
  }
}
