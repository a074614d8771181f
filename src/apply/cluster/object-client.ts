/**
 * Dynamic per-object requests (get, server-side apply, JSON patch, delete) for any kind, on top
 * of {@link RestMapper} and {@link KubeHttp}. Holds no state of its own.
 */
import { formatObject, groupOf } from "../../util/kube-object.js";
import type { JsonPatchOp } from "../takeover.js";
import type { KubeObject } from "../types.js";
import { collectionPath, objectPath, type RestMapper, type RestMapping } from "./discovery.js";
import { isNotFound } from "./errors.js";
import { ContentType, HttpMethod, type KubeHttp } from "./http.js";
import type { ObjectRef } from "./types.js";

/** `apiVersion` of a reference. */
export function apiVersionOf(ref: Pick<ObjectRef, "group" | "version">): string {
  return ref.group === "" ? ref.version : `${ref.group}/${ref.version}`;
}

/** The reference of an object. */
export function refOf(obj: KubeObject): ObjectRef {
  const slash = obj.apiVersion.indexOf("/");
  return {
    group: groupOf(obj.apiVersion),
    version: slash === -1 ? obj.apiVersion : obj.apiVersion.slice(slash + 1),
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name ?? "",
  };
}

/** Requests about single objects, as one identity. */
export class ObjectClient {
  constructor(
    readonly http: KubeHttp,
    readonly mapper: RestMapper,
  ) {}

  /** The same client as another identity (shares the discovery cache). */
  as(user: string | undefined): ObjectClient {
    return user === this.http.impersonate ? this : new ObjectClient(this.http.as(user), this.mapper);
  }

  /** Resolves the path of `ref`; namespaced kinds need a namespace. */
  async pathOf(ref: ObjectRef): Promise<{ mapping: RestMapping; path: string }> {
    const mapping = await this.mapper.mapping(apiVersionOf(ref), ref.kind);
    if (mapping.namespaced && ref.namespace === "") {
      throw new Error(`${ref.kind}/${ref.name} is namespaced but has no namespace`);
    }
    return { mapping, path: objectPath(mapping, ref.name, mapping.namespaced ? ref.namespace : undefined) };
  }

  /** The live object, or undefined when it does not exist. */
  async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    const { path } = await this.pathOf(ref);
    try {
      return await this.http.request<KubeObject>({ verb: "get", method: HttpMethod.GET, path, signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Server-side apply with forced ownership; `dryRun` asks the server what it would store. */
  async apply(
    obj: KubeObject,
    options: { fieldManager: string; dryRun: boolean; signal?: AbortSignal | undefined },
  ): Promise<KubeObject> {
    const ref = refOf(obj);
    const { path } = await this.pathOf(ref);
    try {
      return await this.http.request<KubeObject>({
        verb: "apply",
        method: HttpMethod.PATCH,
        path,
        query: {
          fieldManager: options.fieldManager,
          force: "true",
          ...(options.dryRun && { dryRun: "All" }),
        },
        body: obj,
        contentType: ContentType.apply,
        signal: options.signal,
      });
    } catch (err) {
      if (isNotFound(err)) await this.recheckKind(ref);
      throw err;
    }
  }

  /**
   * A server-side apply creates what is missing, so its 404 means the namespace or the kind itself
   * is gone. A kind removed since discovery was cached (its CRD deleted) must fail as kubectl
   * does, "no matches for kind", not with a bare 404 until the controller restarts: forget the
   * group/version and resolve the kind again, which throws that error when the server lost it.
   */
  private async recheckKind(ref: ObjectRef): Promise<void> {
    this.mapper.invalidate([apiVersionOf(ref)]);
    await this.mapper.mapping(apiVersionOf(ref), ref.kind);
  }

  /** A JSON patch (the managedFields takeover / annotation cleanup). */
  async jsonPatch(ref: ObjectRef, ops: readonly JsonPatchOp[], fieldManager: string): Promise<KubeObject> {
    const { path } = await this.pathOf(ref);
    return this.http.request<KubeObject>({
      verb: "patch",
      method: HttpMethod.PATCH,
      path,
      query: { fieldManager },
      body: ops,
      contentType: ContentType.jsonPatch,
    });
  }

  /** Deletes with background propagation; false when it was already gone. */
  async delete(ref: ObjectRef, preconditionUid?: string): Promise<boolean> {
    const { path } = await this.pathOf(ref);
    const body = {
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: "Background",
      ...(preconditionUid !== undefined && { preconditions: { uid: preconditionUid } }),
    };
    try {
      await this.http.request({ verb: "delete", method: HttpMethod.DELETE, path, body });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** The collection path for list/watch of `mapping` in `namespace` ("" = all namespaces). */
  collection(mapping: RestMapping, namespace: string): string {
    return collectionPath(mapping, namespace === "" ? undefined : namespace);
  }
}

/** `Kind/ns/name` of an object, for messages. */
export const describe = formatObject;
