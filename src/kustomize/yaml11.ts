/**
 * YAML 1.1 scalars the way go-yaml v2 resolves them, for the files kustomize decodes with it
 * (kustomization files, replacements files, JSON patches written as YAML). The `yaml` package's
 * 1.1 schema is close but wider: it reads `.` (and `._`, `.e5`) as a float (NaN) and `1:20` as a
 * sexagesimal 80, where go-yaml keeps both strings, so `delimiter: .` in a replacement was lost.
 */
import type { ScalarTag, SchemaOptions } from "yaml";

type Tags = Parameters<Extract<SchemaOptions["customTags"], (tags: never) => unknown>>[0];

const FLOAT_TAG = "tag:yaml.org,2002:float";
const INT_TAG = "tag:yaml.org,2002:int";

/** go-yaml v2's `yamlStyleFloat`, applied to the text without underscores. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's strconv.ParseFloat accepts of a plain scalar starting with `.` (no underscores there). */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

/** Plain floats as go-yaml v2 resolves them (the special values `.inf`/`.nan` keep their own tag). */
const goFloat: ScalarTag = {
  identify: (value) => typeof value === "number",
  default: true,
  tag: FLOAT_TAG,
  test: /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?$/,
  resolve(text: string): number | string {
    const ok = text.startsWith(".") ? DOT_FLOAT.test(text) : YAML_STYLE_FLOAT.test(text.replaceAll("_", ""));
    return ok ? Number.parseFloat(text.replaceAll("_", "")) : text;
  },
};

/** The 1.1 tags minus sexagesimal numbers, with floats resolved as go-yaml v2 does. */
function goYamlV2Tags(tags: Tags): Tags {
  const kept = tags.filter((tag) => {
    if (typeof tag !== "object" || !("test" in tag)) return true;
    if (tag.format === "TIME" && (tag.tag === INT_TAG || tag.tag === FLOAT_TAG)) return false;
    // The plain and exponent float forms are replaced by goFloat; `.inf`/`.nan` stay.
    return !(tag.tag === FLOAT_TAG && tag.test !== undefined && !tag.test.test(".inf"));
  });
  return [...kept, goFloat];
}

/** Parse options giving go-yaml v2's YAML 1.1 types. */
export const GO_YAML_V2 = { version: "1.1", customTags: goYamlV2Tags } as const;
