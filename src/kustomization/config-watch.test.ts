import { describe, expect, it } from "vitest";
import type { Kustomization } from "../api/index.js";
import { metadataOnly, type ObjectMetadata } from "../runtime/informer/metadata-only.js";
import type { ListWatcher, WatchEvent } from "../runtime/informer/types.js";
import { referencedConfigs } from "./config-watch.js";

const ks = (spec: Partial<Kustomization["spec"]>): Kustomization => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "app", namespace: "team" },
  spec: { interval: "1m", prune: true, sourceRef: { kind: "GitRepository", name: "s" }, ...spec },
});

describe("referencedConfigs (issue 15: what Flux indexes for watched ConfigMaps and Secrets)", () => {
  it("lists substituteFrom, decryption.secretRef and kubeConfig references in the Kustomization's namespace", () => {
    const refs = referencedConfigs(
      ks({
        postBuild: {
          substituteFrom: [
            { kind: "ConfigMap", name: "vars" },
            { kind: "Secret", name: "creds", optional: true },
          ],
        },
        decryption: { provider: "sops", secretRef: { name: "sops-keys" } },
        kubeConfig: { secretRef: { name: "remote" } },
      }),
    );
    expect(refs).toEqual([
      "ConfigMap/team/vars",
      "Secret/team/creds",
      "Secret/team/sops-keys",
      "Secret/team/remote",
    ]);
    expect(referencedConfigs(ks({ kubeConfig: { configMapRef: { name: "cluster" } } }))).toEqual([
      "ConfigMap/team/cluster",
    ]);
    expect(referencedConfigs(ks({}))).toEqual([]);
  });
});

describe("metadataOnly (no Secret values kept in the watch cache)", () => {
  it("strips everything but apiVersion, kind and metadata from lists and events", async () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", resourceVersion: "2" },
      data: { k: "c2VjcmV0" },
    };
    const source: ListWatcher<ObjectMetadata> = {
      list: () => Promise.resolve({ items: [secret], resourceVersion: "2" }),
      watch: (_rv, onEvent) => {
        onEvent({ type: "MODIFIED", object: secret });
        onEvent({ type: "BOOKMARK", resourceVersion: "3" });
        return Promise.resolve();
      },
    };
    const wrapped = metadataOnly(source);
    const listed = await wrapped.list(new AbortController().signal);
    expect(listed.items).toEqual([
      { apiVersion: "v1", kind: "Secret", metadata: { name: "s", resourceVersion: "2" } },
    ]);
    const events: WatchEvent<ObjectMetadata>[] = [];
    await wrapped.watch("2", (e) => events.push(e), new AbortController().signal);
    expect(JSON.stringify(events)).not.toContain("c2VjcmV0");
    expect(events).toEqual([
      {
        type: "MODIFIED",
        object: { apiVersion: "v1", kind: "Secret", metadata: { name: "s", resourceVersion: "2" } },
      },
      { type: "BOOKMARK", resourceVersion: "3" },
    ]);
  });
});
