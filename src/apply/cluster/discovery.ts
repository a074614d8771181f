/**
 * Maps an object's apiVersion and kind to its REST resource (plural name, namespaced or not)
 * through API discovery, so any kind can be applied, including CRDs applied moments earlier.
 *
 * Each group/version is fetched once and cached; a kind that is not in the cached list causes one
 * refetch (a CRD may just have been established), and {@link RestMapper.invalidate} drops the
 * cache after the CRD stage.
 */
import { isNotFound, NoMatchError } from "./errors.js";
import { HttpMethod, type KubeHttp } from "./http.js";

/** Where objects of one kind live. */
export interface RestMapping {
  readonly apiVersion: string;
  readonly kind: string;
  readonly resource: string;
  readonly namespaced: boolean;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Resolves kinds to resources, caching discovery per group/version. */
export class RestMapper {
  private readonly cache = new Map<string, Promise<Map<string, RestMapping>>>();

  constructor(private readonly http: KubeHttp) {}

  /** Forgets the given group/versions (a CRD changed them), or everything. */
  invalidate(apiVersions?: readonly string[]): void {
    if (apiVersions === undefined) this.cache.clear();
    else for (const v of apiVersions) this.cache.delete(v);
  }

  /** The mapping of `apiVersion`/`kind`; throws {@link NoMatchError} when the server has none. */
  async mapping(apiVersion: string, kind: string): Promise<RestMapping> {
    const cached = await this.resources(apiVersion).catch(() => undefined);
    const hit = cached?.get(kind);
    if (hit) return hit;
    this.cache.delete(apiVersion);
    const fresh = await this.resources(apiVersion);
    const found = fresh.get(kind);
    if (!found) {
      throw new NoMatchError(`no matches for kind "${kind}" in version "${apiVersion}"`);
    }
    return found;
  }

  private resources(apiVersion: string): Promise<Map<string, RestMapping>> {
    let entry = this.cache.get(apiVersion);
    if (!entry) {
      entry = this.fetch(apiVersion);
      entry.catch(() => this.cache.delete(apiVersion));
      this.cache.set(apiVersion, entry);
    }
    return entry;
  }

  private async fetch(apiVersion: string): Promise<Map<string, RestMapping>> {
    const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list: { resources?: ApiResource[] };
    try {
      list = await this.http.request({ verb: "discovery", method: HttpMethod.GET, path });
    } catch (err) {
      if (isNotFound(err)) return new Map();
      throw err;
    }
    const out = new Map<string, RestMapping>();
    for (const r of list.resources ?? []) {
      if (r.name.includes("/")) continue;
      out.set(r.kind, { apiVersion, kind: r.kind, resource: r.name, namespaced: r.namespaced });
    }
    return out;
  }
}

/** The collection path of a mapping (`/apis/apps/v1/namespaces/ns/deployments`). */
export function collectionPath(m: RestMapping, namespace?: string): string {
  const base = m.apiVersion.includes("/") ? `/apis/${m.apiVersion}` : `/api/${m.apiVersion}`;
  const ns = m.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${m.resource}`;
}

/** The path of one object. */
export function objectPath(m: RestMapping, name: string, namespace?: string): string {
  return `${collectionPath(m, namespace)}/${encodeURIComponent(name)}`;
}
