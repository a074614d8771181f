import { parse as parseYaml } from "yaml";
import { KustomizeError } from "./errors.js";
import type { FieldSpec } from "./kustomization.js";
import { emptyTransformerConfig, mergeTransformerConfig, type TransformerConfig } from "./transformer-config.js";

/**
 * The `crds:` field: OpenAPI definitions of custom types whose `x-kubernetes-*` extensions say
 * which fields hold annotations, label selectors, names to prefix and references to other objects.
 * They become transformer configuration, as in kustomize.
 */

interface Property {
  $ref?: string;
  [ext: string]: unknown;
}

type ApiMap = Record<string, { Schema?: { properties?: Record<string, Property> } }>;

function propertiesOf(m: ApiMap, name: string): Record<string, Property> {
  return m[name]?.Schema?.properties ?? {};
}

interface Walk {
  m: ApiMap;
  tc: TransformerConfig;
  kind: string;
}

function walk(w: Walk, typeName: string, path: string[]): void {
  const { m, tc, kind } = w;
  for (const [prop, p] of Object.entries(propertiesOf(m, typeName))) {
    const here = [...path, prop];
    const spec = (segments: string[]): FieldSpec => ({ kind, path: segments.join("/") });
    if (typeof p["x-kubernetes-annotation"] === "string") tc.commonAnnotations.push(spec(here));
    if (typeof p["x-kubernetes-label-selector"] === "string") tc.commonLabels.push(spec(here));
    if (typeof p["x-kubernetes-identity"] === "string") tc.namePrefix.push(spec(here));
    const version = p["x-kubernetes-object-ref-api-version"];
    const refKind = p["x-kubernetes-object-ref-kind"];
    if (typeof version === "string" && typeof refKind === "string") {
      const nameKey = typeof p["x-kubernetes-object-ref-name-key"] === "string" ? p["x-kubernetes-object-ref-name-key"] : "name";
      tc.nameReference.push({ kind: refKind, version, referrers: [spec([...here, nameKey])] });
    }
    if (typeof p.$ref === "string" && p.$ref !== "") walk(w, p.$ref, here);
  }
}

/** Transformer configuration from one CRD definitions file (JSON or YAML). */
export function configFromCrds(text: string, file: string): TransformerConfig {
  let m: ApiMap;
  try {
    m = (text.trimStart().startsWith("{") ? JSON.parse(text) : parseYaml(text)) as ApiMap;
  } catch (cause) {
    throw new KustomizeError("unable to parse open API definition", { file, cause });
  }
  const result = emptyTransformerConfig();
  for (const name of Object.keys(m ?? {})) {
    const props = propertiesOf(m, name);
    if (!("kind" in props && "apiVersion" in props && "metadata" in props)) continue;
    const tc = emptyTransformerConfig();
    walk({ m, tc, kind: name.split(".").pop() ?? name }, name, []);
    mergeTransformerConfig(result, tc);
  }
  return result;
}
