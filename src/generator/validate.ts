/**
 * The checks source-watcher makes before any work, each a stall (the spec must change): duplicate
 * aliases and artifact names, cross-namespace sources under `--no-cross-namespace-refs`, invalid
 * artifact names (not templates: with `spec.pathPattern` names are checked once rendered),
 * `revision` naming an unknown alias. mooring adds its own: a source kind it has no controller for.
 */
import { type ArtifactGenerator, Reason, unsupportedSourceKind } from "../api/index.js";
import { StallingError } from "../runtime/errors.js";
import { sourceNamespace } from "./sources.js";

/** source-watcher's stall reason for an invalid spec. */
export const VALIDATION_FAILED = "ValidationFailed";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const stall = (reason: string, message: string): StallingError => new StallingError(reason, message);

function validateSources(ag: ArtifactGenerator, noCrossNamespaceRefs: boolean): Set<string> {
  const aliases = new Set<string>();
  for (const src of ag.spec.sources) {
    if (aliases.has(src.alias)) throw stall(VALIDATION_FAILED, `duplicate source alias '${src.alias}' found`);
    aliases.add(src.alias);
    const namespace = sourceNamespace(src, ag);
    if (noCrossNamespaceRefs && namespace !== ag.metadata.namespace) {
      throw stall(
        Reason.AccessDenied,
        `cross-namespace reference to source ${src.kind}/${namespace}/${src.name} is not allowed`,
      );
    }
    const unsupported = unsupportedSourceKind(src.kind);
    if (unsupported !== undefined) {
      throw stall(
        Reason.UnsupportedField,
        `spec.sources[].kind (${src.kind}, alias '${src.alias}') is not supported by mooring: ${unsupported}`,
      );
    }
  }
  return aliases;
}

/** Throws a {@link StallingError} naming the first problem; returns when the spec is usable. */
export function validateGenerator(ag: ArtifactGenerator, noCrossNamespaceRefs: boolean): void {
  const templated = (ag.spec.pathPattern ?? "") !== "";
  const aliases = validateSources(ag, noCrossNamespaceRefs);
  const names = new Set<string>();
  for (const artifact of ag.spec.artifacts) {
    if (names.has(artifact.name))
      throw stall(VALIDATION_FAILED, `duplicate artifact name '${artifact.name}' found`);
    if (!templated && (artifact.name.length > 253 || !DNS_SUBDOMAIN.test(artifact.name))) {
      throw stall(
        VALIDATION_FAILED,
        `artifact name "${artifact.name}" is not a valid Kubernetes object name: a lowercase RFC 1123 subdomain`,
      );
    }
    const revision = artifact.revision?.replace(/^@/, "");
    if (revision !== undefined && revision !== "" && !aliases.has(revision)) {
      throw stall(
        VALIDATION_FAILED,
        `artifact ${artifact.name} revision source alias '${revision}' not found`,
      );
    }
    names.add(artifact.name);
  }
}
