/**
 * A {@link ListWatcher} that keeps only `apiVersion`, `kind` and `metadata` of what another one
 * delivers: controller-runtime's `WatchesMetadata`. An informer whose handlers only map an event
 * to keys (a Secret changed: which Kustomizations use it?) needs nothing else, and must not keep
 * Secret values in memory.
 */
import type { ListWatcher, MetaObject, WatchEvent } from "./types.js";

/** The metadata of an object: what a metadata-only informer stores. */
export interface ObjectMetadata extends MetaObject {
  readonly apiVersion?: string;
  readonly kind?: string;
}

const strip = <T extends ObjectMetadata>(obj: T): ObjectMetadata => ({
  ...(obj.apiVersion === undefined ? {} : { apiVersion: obj.apiVersion }),
  ...(obj.kind === undefined ? {} : { kind: obj.kind }),
  ...(obj.metadata === undefined ? {} : { metadata: obj.metadata }),
});

/** Wraps `source` so that lists and watch events carry metadata only. */
export function metadataOnly(source: ListWatcher<ObjectMetadata>): ListWatcher<ObjectMetadata> {
  return {
    async list(signal) {
      const list = await source.list(signal);
      return { items: list.items.map(strip), resourceVersion: list.resourceVersion };
    },
    watch(resourceVersion, onEvent, signal) {
      const forward = (event: WatchEvent<ObjectMetadata>): void =>
        onEvent("object" in event ? { ...event, object: strip(event.object) } : event);
      return source.watch(resourceVersion, forward, signal);
    },
  };
}
