import { GIT_REPOSITORY, KUSTOMIZATION } from "../api/constants.js";

/** The kinds the CLI handles, with the words users type for them and their REST resource. */
export const FLUX_KINDS = {
  git: {
    apiVersion: GIT_REPOSITORY.apiVersion,
    kind: GIT_REPOSITORY.kind,
    plural: GIT_REPOSITORY.plural,
    label: "GitRepository",
  },
  kustomization: {
    apiVersion: KUSTOMIZATION.apiVersion,
    kind: KUSTOMIZATION.kind,
    plural: KUSTOMIZATION.plural,
    label: "Kustomization",
  },
} as const;

/** One of {@link FLUX_KINDS}. */
export type FluxKind = (typeof FLUX_KINDS)[keyof typeof FLUX_KINDS];
