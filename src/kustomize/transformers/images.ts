import { isMap, isScalar, isSeq, type Node as YamlNode, type YAMLMap } from "yaml";
import { applyFieldSpec } from "../fieldspec.js";
import type { FieldSpec } from "../kustomization.js";
import { getIn, newStringScalar, setIn, type Resource } from "../resource.js";
import { foldKeys, IMAGE_SHAPE } from "./fold-keys.js";

/** One `images:` entry of a kustomization. `name` is a regular expression, as in kustomize. */
export interface ImageSpec {
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
  readonly tagSuffix?: string;
}

/**
 * kustomize's images transformer: for each entry, in order, every container image whose name
 * matches is rewritten (new name, new tag and/or digest, or a tag suffix). Each entry runs two
 * passes over all resources, as kustomize does: a "legacy" pass over every `containers` and
 * `initContainers` list found anywhere in a resource, then a pass over the configured field specs
 * (`images` of the transformer configuration). An image both passes reach is rewritten twice,
 * which only shows with `tagSuffix` (kustomize v5.5 prints `nginx:1.0-x-x`). CRDs are skipped.
 * Throws when a name is not a valid regular expression (kustomize v5.5 panics there).
 */
export function applyImages(
  resources: readonly Resource[],
  images: readonly ImageSpec[],
  fieldSpecs: readonly FieldSpec[],
): void {
  for (const raw of images) {
    const image = foldKeys<ImageSpec>(raw, IMAGE_SHAPE);
    const rewrite = imageRewriter(image);
    const targets = resources.filter((r) => r.kind() !== "CustomResourceDefinition");
    for (const res of targets) walkContainers(res.node, rewrite);
    for (const res of targets) {
      const gvk = res.gvk();
      for (const spec of fieldSpecs) {
        applyFieldSpec(res.node, gvk, spec, (parent, key, value) => rewriteField(parent, key, value, rewrite));
      }
    }
  }
}

type Rewrite = (value: string) => string | undefined;

function rewriteField(parent: YAMLMap, key: string, value: YamlNode | undefined, rewrite: Rewrite): void {
  if (value === undefined) return;
  if (!isScalar(value)) throw new Error(`images: field ${key} holds a ${isMap(value) ? "map" : "list"}, not an image`);
  const next = rewrite(typeof value.value === "string" ? value.value : String(value.value));
  if (next !== undefined) setIn(parent, key, newStringScalar(next));
}

/** Depth-first walk that rewrites `image` in the elements of every containers/initContainers list. */
function walkContainers(node: unknown, rewrite: Rewrite): void {
  if (isSeq(node)) {
    for (const item of node.items) walkContainers(item, rewrite);
    return;
  }
  if (!isMap(node)) return;
  for (const pair of node.items) {
    walkContainers(pair.value, rewrite);
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if ((key !== "containers" && key !== "initContainers") || !isSeq(pair.value)) continue;
    for (const container of pair.value.items) {
      if (!isMap(container)) continue;
      rewriteField(container, "image", getIn(container, "image"), rewrite);
    }
  }
}

function imageRewriter(image: ImageSpec): Rewrite {
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^${image.name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
  } catch (err) {
    throw new Error(`images: name "${image.name}" is not a valid regular expression: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return (value) => (pattern.test(value) ? rewriteImage(value, image) : undefined);
}

/** Splits `[host[:port]/]path[:tag][@digest]` into name, tag and digest (kustomize's image.Split). */
export function splitImage(ref: string): { name: string; tag: string; digest: string } {
  const slash = ref.indexOf("/");
  const offset = slash > 0 ? slash : 0;
  const search = ref.slice(offset);
  const at = search.indexOf("@");
  const colon = search.indexOf(":");
  if (colon < 0 && at < 0) return { name: ref, tag: "", digest: "" };
  if (at >= 0 && (at < colon || colon < 0)) {
    return { name: ref.slice(0, at + offset), tag: "", digest: ref.slice(at + offset + 1) };
  }
  if (at >= 0) {
    return { name: ref.slice(0, colon + offset), tag: ref.slice(colon + offset + 1, at + offset), digest: ref.slice(at + offset + 1) };
  }
  return { name: ref.slice(0, colon + offset), tag: ref.slice(colon + offset + 1), digest: "" };
}

function rewriteImage(value: string, image: ImageSpec): string {
  let { name, tag, digest } = splitImage(value);
  if (image.newName) name = image.newName;
  if (image.newTag && image.digest) {
    tag = image.newTag;
    digest = image.digest;
  } else if (image.newTag) {
    tag = image.newTag;
    digest = "";
  } else if (image.digest) {
    tag = "";
    digest = image.digest;
  } else if (image.tagSuffix) {
    tag += image.tagSuffix;
    digest = "";
  }
  return `${name}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
}
