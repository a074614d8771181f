/**
 * The source kinds a Kustomization can take its artifact from, and how each is read: one place,
 * so the Kustomization's `sourceRef.kind` check (field-support.ts), its source reads
 * (cluster-client.ts) and its source watches (controller.ts) all follow the same list. Every kind
 * here publishes Flux's `status.artifact` (url, revision, digest, metadata); adding a kind is one
 * entry (plus its RBAC in deploy/).
 */
import { GIT_REPOSITORY, OCI_REPOSITORY } from "./constants.js";

/** What the Kustomization controller needs to read and watch a source kind. */
export interface SourceKindInfo {
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly plural: string;
  readonly crdName: string;
}

/** The source kinds mooring implements, by `sourceRef.kind`. */
export const SOURCE_KINDS: Readonly<Record<string, SourceKindInfo>> = {
  [GIT_REPOSITORY.kind]: GIT_REPOSITORY,
  [OCI_REPOSITORY.kind]: OCI_REPOSITORY,
};

/** The source kind `kind` names, or undefined when mooring does not implement it. */
export function sourceKindInfo(kind: string): SourceKindInfo | undefined {
  return Object.hasOwn(SOURCE_KINDS, kind) ? SOURCE_KINDS[kind] : undefined;
}
