/**
 * The `reconcile.fluxcd.io/watch: Enabled` label (issue 15, Flux 2.7's watched inputs): a change
 * to a ConfigMap or Secret that a Kustomization reads reconciles that Kustomization at once
 * instead of at its next interval.
 *
 * As kustomize-controller does, two metadata-only watches (ConfigMaps, Secrets) select the
 * objects with `--watch-configs-label-selector` (default `reconcile.fluxcd.io/watch=Enabled`; an
 * empty selector watches every ConfigMap and Secret), and an index of the Kustomization cache maps
 * an object to the Kustomizations that reference it: `postBuild.substituteFrom`,
 * `decryption.secretRef` and `kubeConfig` (`secretRef`, `configMapRef`). Creations, changes and
 * deletions all count, as in Flux (an optional `substituteFrom` that appears or goes away changes
 * the build too). The adds of the first list are not: every Kustomization is reconciled when the
 * controller starts anyway (Flux's initial Create events only queue it a second time).
 */
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import type { Logger } from "pino";
import type { Kustomization } from "../api/index.js";
import { WATCH_ENABLED_VALUE, WATCH_LABEL } from "../api/constants.js";
import { apiListWatcher } from "../runtime/informer/api-list-watcher.js";
import { Informer } from "../runtime/informer/informer.js";
import { metadataOnly, type ObjectMetadata } from "../runtime/informer/metadata-only.js";

/** The default of `--watch-configs-label-selector`: `reconcile.fluxcd.io/watch=Enabled`. */
export const DEFAULT_WATCH_CONFIGS_SELECTOR = `${WATCH_LABEL}=${WATCH_ENABLED_VALUE}`;

/** Name of the Kustomization cache index by referenced ConfigMap/Secret. */
export const CONFIGS_INDEX = "configs";

type ConfigKind = "ConfigMap" | "Secret";

/** `Kind/namespace/name` of a referenced ConfigMap or Secret. */
export function configId(kind: ConfigKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** The ConfigMaps and Secrets a Kustomization reads (all in its own namespace, as in Flux). */
export function referencedConfigs(ks: Kustomization): string[] {
  const { postBuild, decryption, kubeConfig } = ks.spec;
  const refs: { kind: ConfigKind; name: string | undefined }[] = [
    ...(postBuild?.substituteFrom ?? []),
    { kind: "Secret", name: decryption?.secretRef?.name },
    { kind: "Secret", name: kubeConfig?.secretRef?.name },
    { kind: "ConfigMap", name: kubeConfig?.configMapRef?.name },
  ];
  const ns = ks.metadata.namespace ?? "";
  const ids = refs
    .filter((r) => r.name !== undefined && r.name !== "")
    .map((r) => configId(r.kind, ns, r.name ?? ""));
  return [...new Set(ids)];
}

/** Where the watches run and what they select. */
export interface ConfigWatchOptions {
  readonly kubeConfig: KubeConfig;
  /** `--watch-configs-label-selector`; "" selects every object. */
  readonly labelSelector: string;
  readonly log?: Logger | undefined;
}

/**
 * Metadata-only informers over ConfigMaps and Secrets (all namespaces) calling `changed` with the
 * id of each object created, changed or deleted. Handlers only map; `changed` must not block.
 */
export function configInformers(
  options: ConfigWatchOptions,
  changed: (id: string) => void,
): Informer<ObjectMetadata>[] {
  const kinds: [ConfigKind, string][] = [
    ["ConfigMap", "configmaps"],
    ["Secret", "secrets"],
  ];
  return kinds.map(([kind, plural]) => {
    const informer = new Informer<ObjectMetadata>({
      name: `${plural} (watched by kustomizations)`,
      source: metadataOnly(
        apiListWatcher<ObjectMetadata>(options.kubeConfig, {
          resource: { apiVersion: "v1", plural },
          ...(options.labelSelector === "" ? {} : { labelSelector: options.labelSelector }),
        }),
      ),
      ...(options.log ? { log: options.log } : {}),
    });
    const id = (o: ObjectMetadata): string =>
      configId(kind, o.metadata?.namespace ?? "", o.metadata?.name ?? "");
    informer.addHandler({
      onAdd: (o) => {
        if (informer.hasSynced()) changed(id(o));
      },
      onUpdate: (_old, o) => changed(id(o)),
      onDelete: (o) => changed(id(o)),
    });
    return informer;
  });
}
