/**
 * The Receiver CRD in crds/ and the TypeScript API agree (issue 20): names, Flux's type enum,
 * Flux's printer columns, the status default; and the webhook path is Flux's digest.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  FLUX_RECEIVER_TYPES,
  RECEIVER,
  RECEIVER_DEFAULT_INTERVAL,
  receiverInterval,
  receiverWebhookPath,
  SUPPORTED_RECEIVER_TYPES,
} from "./receiver.js";

interface Crd {
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; categories: string[] };
    versions: {
      name: string;
      additionalPrinterColumns: { name: string; jsonPath: string }[];
      schema: { openAPIV3Schema: { properties: Record<string, any> } };
    }[];
  };
}
const crd = parse(
  readFileSync(join(import.meta.dirname, "..", "..", "crds", `${RECEIVER.crdName}.yaml`), "utf8"),
) as Crd;
const version = crd.spec.versions[0]!;
const spec = version.schema.openAPIV3Schema.properties["spec"];

describe("Receiver CRD", () => {
  it("names match the API constants", () => {
    expect(crd.spec.group).toBe(RECEIVER.group);
    expect(version.name).toBe(RECEIVER.version);
    expect(crd.spec.names).toEqual({
      kind: RECEIVER.kind,
      listKind: RECEIVER.listKind,
      plural: RECEIVER.plural,
      singular: RECEIVER.singular,
      categories: [...RECEIVER.categories],
    });
  });

  it("accepts every type Flux accepts, a superset of the verified ones", () => {
    expect(spec.properties.type.enum).toEqual([...FLUX_RECEIVER_TYPES]);
    for (const t of SUPPORTED_RECEIVER_TYPES) expect(FLUX_RECEIVER_TYPES).toContain(t);
  });

  it("prints Flux's columns and defaults the interval and observedGeneration as Flux", () => {
    expect(version.additionalPrinterColumns.map((c) => c.name)).toEqual(["Age", "Ready", "Status"]);
    expect(spec.properties.interval.default).toBe(RECEIVER_DEFAULT_INTERVAL);
    expect(version.schema.openAPIV3Schema.properties["status"].default).toEqual({ observedGeneration: -1 });
    expect(spec.required).toEqual(["resources", "type"]);
  });
});

describe("receiverWebhookPath", () => {
  it("is /hook/ + hex sha256(token + name + namespace), as Flux's GetWebhookPath", () => {
    const digest = createHash("sha256").update("tokenhookapps").digest("hex");
    expect(receiverWebhookPath("token", "hook", "apps")).toBe(`/hook/${digest}`);
    expect(digest).toHaveLength(64);
  });

  it("interval defaults to 10m", () => {
    expect(receiverInterval({ type: "generic", resources: [] })).toBe(600_000);
    expect(receiverInterval({ type: "generic", resources: [], interval: "30s" })).toBe(30_000);
  });
});
