/**
 * Issue 15, item 1: every spec field of the two CRDs is implemented (with a test that proves it)
 * or stalls the object with a reason and a message saying it is not supported by mooring and what
 * to do instead. The registry is src/api/field-support.ts; this file walks the CRD schemas
 * against it and drives each stall through the reconcilers.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type FieldRegistry,
  GIT_REPOSITORY_FIELDS,
  type GitRepository,
  isSet,
  type Kustomization,
  KUSTOMIZATION_FIELDS,
  OCI_REPOSITORY_FIELDS,
  type OCIRepository,
  type StalledField,
  unsupportedField,
  valuesAt,
} from "../../src/api/index.js";
import { kustomizationOptions } from "../../src/kustomization/options.js";
import { KustomizationReconciler } from "../../src/kustomization/reconciler.js";
import { FakeApply, FakeClient, testContext } from "../../src/kustomization/test-fakes.js";
import { GIT_REPOSITORY_STEPS } from "../../src/source/gitrepository-reconciler.js";
import { reconcileFieldSupport } from "../../src/source/gitrepository-steps.js";
import { OCI_REPOSITORY_STEPS } from "../../src/source/ocirepository-reconciler.js";
import { reconcileFieldSupport as reconcileOciFieldSupport } from "../../src/source/ocirepository-steps.js";
import type { OCIRepositoryDeps, RunState as OciRunState } from "../../src/source/ocirepository-state.js";
import type { GitRepositoryDeps, RunState } from "../../src/source/gitrepository-state.js";
import { StallingError } from "../../src/runtime/errors.js";

type Schema = { properties?: Record<string, Schema>; items?: Schema };

const root = join(import.meta.dirname, "..", "..");

/** Every field path under `spec` of a CRD file, depth first (`[]` for array items). */
function schemaPaths(file: string): string[] {
  const crd = parse(readFileSync(join(root, "crds", file), "utf8")) as {
    spec: { versions: { schema: { openAPIV3Schema: Schema } }[] };
  };
  const out: string[] = [];
  const walk = (prefix: string, s: Schema): void => {
    for (const [key, child] of Object.entries(s.properties ?? {})) {
      out.push(`${prefix}.${key}`);
      walk(`${prefix}.${key}`, child);
    }
    if (s.items) walk(`${prefix}[]`, s.items);
  };
  const spec = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec;
  if (spec === undefined) throw new Error(`${file}: no spec schema`);
  walk("spec", spec);
  return out;
}

const ancestors = (path: string): string[] => {
  const parts = path.split(".");
  return parts.slice(1, -1).map((_, i) => parts.slice(0, i + 2).join("."));
};

/** Whether a path may go without an entry: an ancestor stalls whenever it is set. */
function underUnconditionalStall(path: string, registry: FieldRegistry): boolean {
  return ancestors(path).some((a) => {
    const e = registry[a.replace(/\[\]$/, "")] ?? registry[a];
    return e?.support === "stalled" && e.when === isSet;
  });
}

const texts = new Map<string, string | undefined>();
/** A test file's text, read once (undefined when it does not exist). */
function textOf(test: string): string | undefined {
  if (!texts.has(test)) {
    const file = join(root, test);
    texts.set(test, existsSync(file) ? readFileSync(file, "utf8") : undefined);
  }
  return texts.get(test);
}

const pathsOf = new Map<string, string[]>();
const cachedSchemaPaths = (file: string): string[] => {
  if (!pathsOf.has(file)) pathsOf.set(file, schemaPaths(file));
  return pathsOf.get(file) ?? [];
};

/** What is wrong with the registry for one CRD; empty when the rule holds. */
function violations(file: string, registry: FieldRegistry): string[] {
  const paths = cachedSchemaPaths(file);
  const problems: string[] = [];
  for (const path of paths) {
    const entry = registry[path];
    if (entry === undefined) {
      if (!underUnconditionalStall(path, registry)) problems.push(`${path}: neither implemented nor stalled`);
      continue;
    }
    if (entry.support === "stalled") continue;
    const leaf = (path.split(".").at(-1) ?? "").replace("[]", "");
    if (entry.tests.length === 0) problems.push(`${path}: implemented without a test`);
    for (const test of entry.tests) {
      if (/crds\.test\.ts$/.test(test)) problems.push(`${path}: ${test} checks the schema, not behaviour`);
      else if (textOf(test) === undefined) problems.push(`${path}: ${test} does not exist`);
      else if (!(textOf(test) ?? "").includes(leaf))
        problems.push(`${path}: ${test} never mentions '${leaf}'`);
    }
  }
  for (const path of Object.keys(registry)) {
    if (!paths.includes(path)) problems.push(`${path}: in the registry but not in ${file}`);
  }
  return problems;
}

/** An object with `value` at `path`, creating objects and one-item arrays on the way. */
function withValueAt(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const out = structuredClone(base);
  let cur: Record<string, unknown> = out;
  const steps = path.split(".");
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    const key = step.replace("[]", "");
    if (last) {
      cur[key] = step.endsWith("[]") ? [value] : value;
      return;
    }
    if (step.endsWith("[]")) {
      const items = (cur[key] as Record<string, unknown>[] | undefined) ?? [{ name: "dep" }];
      cur[key] = items;
      cur = items[0] as Record<string, unknown>;
    } else {
      cur[key] = cur[key] ?? {};
      cur = cur[key] as Record<string, unknown>;
    }
  });
  return out;
}

const stalls = (registry: FieldRegistry): [string, StalledField][] =>
  Object.entries(registry).filter((e): e is [string, StalledField] => e[1].support === "stalled");

describe("field support rule (issue 15)", () => {
  it("every GitRepository spec field is implemented with a test, or stalls", () => {
    expect(violations("gitrepositories.source.toolkit.fluxcd.io.yaml", GIT_REPOSITORY_FIELDS)).toEqual([]);
  });

  it("every OCIRepository spec field is implemented with a test, or stalls", () => {
    expect(violations("ocirepositories.source.toolkit.fluxcd.io.yaml", OCI_REPOSITORY_FIELDS)).toEqual([]);
  });

  it("every Kustomization spec field is implemented with a test, or stalls", () => {
    expect(violations("kustomizations.kustomize.toolkit.fluxcd.io.yaml", KUSTOMIZATION_FIELDS)).toEqual([]);
  });

  it("removing any one entry breaks the rule", () => {
    const cases = [
      ["gitrepositories.source.toolkit.fluxcd.io.yaml", GIT_REPOSITORY_FIELDS],
      ["kustomizations.kustomize.toolkit.fluxcd.io.yaml", KUSTOMIZATION_FIELDS],
      ["ocirepositories.source.toolkit.fluxcd.io.yaml", OCI_REPOSITORY_FIELDS],
    ] as const;
    for (const [file, registry] of cases) {
      for (const path of Object.keys(registry)) {
        const without = Object.fromEntries(Object.entries(registry).filter(([p]) => p !== path));
        expect(violations(file, without), path).not.toEqual([]);
      }
    }
  });

  it("every stall message says the field is not supported by mooring and what to do", () => {
    const all = [
      ...stalls(GIT_REPOSITORY_FIELDS),
      ...stalls(KUSTOMIZATION_FIELDS),
      ...stalls(OCI_REPOSITORY_FIELDS),
    ];
    for (const [path, s] of all) {
      expect(s.message, path).toMatch(/^spec\.\S+.* is not supported by mooring: .{20,}/);
      expect(s.message.startsWith(path.replace(/\[\]/g, "[]")), path).toBe(true);
      expect(s.when(s.example), path).toBe(true);
    }
  });

  it("valuesAt steps into arrays; unset values do not stall", () => {
    const obj = { spec: { dependsOn: [{ name: "a" }, { name: "b", readyExpr: "x" }] } };
    expect(valuesAt(obj, "spec.dependsOn[].readyExpr")).toEqual(["x"]);
    expect(unsupportedField({ spec: { recurseSubmodules: false } }, GIT_REPOSITORY_FIELDS)).toBeUndefined();
    expect(unsupportedField({ spec: { provider: "generic" } }, GIT_REPOSITORY_FIELDS)).toBeUndefined();
    expect(unsupportedField({ spec: { healthCheckExprs: [] } }, KUSTOMIZATION_FIELDS)).toBeUndefined();
  });
});

const baseKs: Kustomization = {
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "app", namespace: "flux", generation: 3, finalizers: ["finalizers.fluxcd.io"] },
  spec: { interval: "1h", prune: true, path: "./deploy", sourceRef: { kind: "GitRepository", name: "repo" } },
};

describe("each Kustomization stall stalls the reconcile before any work (issue 15)", () => {
  for (const [path, s] of stalls(KUSTOMIZATION_FIELDS)) {
    it(path, async () => {
      const client = new FakeClient();
      const apply = new FakeApply();
      const rec = new KustomizationReconciler({ client, apply, options: kustomizationOptions() });
      client.put(withValueAt(baseKs, path, s.example) as never);
      expect(await rec.reconcile({ namespace: "flux", name: "app" }, testContext())).toEqual({
        kind: "done",
      });
      const status = client.get("flux", "app").status;
      const cond = (t: string) => status?.conditions?.find((c) => c.type === t);
      expect(cond("Stalled")).toMatchObject({ status: "True", reason: s.reason, message: s.message });
      expect(cond("Ready")).toMatchObject({ status: "False", reason: s.reason, message: s.message });
      expect(status?.observedGeneration).toBe(3);
      expect(apply.calls).toEqual([]);
      expect(client.events).toContainEqual(expect.objectContaining({ type: "Warning", reason: s.reason }));
    });
  }
});

describe("each GitRepository stall stalls before any work (issue 15)", () => {
  it("the field check is the first step", () => {
    expect(GIT_REPOSITORY_STEPS[0]).toBe(reconcileFieldSupport);
  });

  const baseRepo: GitRepository = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "repo", namespace: "flux", generation: 1 },
    spec: { url: "https://example.com/repo.git", interval: "1m" },
  };
  for (const [path, s] of stalls(GIT_REPOSITORY_FIELDS)) {
    it(path, async () => {
      const obj = withValueAt(baseRepo, path, s.example);
      const state = { obj } as unknown as RunState;
      const err = await reconcileFieldSupport({} as GitRepositoryDeps, state).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StallingError);
      expect(err).toMatchObject({ reason: s.reason, message: s.message });
    });
  }
});

describe("each OCIRepository stall stalls before any work (issue 16)", () => {
  it("the field check is the first step", () => {
    expect(OCI_REPOSITORY_STEPS[0]).toBe(reconcileOciFieldSupport);
  });

  const baseRepo: OCIRepository = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "OCIRepository",
    metadata: { name: "repo", namespace: "flux", generation: 1 },
    spec: { url: "oci://ghcr.io/org/app", interval: "1m" },
  };
  for (const [path, s] of stalls(OCI_REPOSITORY_FIELDS)) {
    it(path, async () => {
      const obj = withValueAt(baseRepo, path, s.example);
      const state = { obj } as unknown as OciRunState;
      const err = await reconcileOciFieldSupport({} as OCIRepositoryDeps, state).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StallingError);
      expect(err).toMatchObject({ reason: s.reason, message: s.message });
    });
  }

  it("provider generic and an OCIRepository or GitRepository sourceRef do not stall", () => {
    expect(unsupportedField({ spec: { provider: "generic" } }, OCI_REPOSITORY_FIELDS)).toBeUndefined();
    expect(
      unsupportedField({ spec: { sourceRef: { kind: "OCIRepository" } } }, KUSTOMIZATION_FIELDS),
    ).toBeUndefined();
    expect(
      unsupportedField({ spec: { sourceRef: { kind: "ExternalArtifact" } } }, KUSTOMIZATION_FIELDS),
    ).toBeUndefined();
    expect(unsupportedField({ spec: { sourceRef: { kind: "Bucket" } } }, KUSTOMIZATION_FIELDS)?.message).toBe(
      "spec.sourceRef.kind (Bucket) is not supported by mooring: the source kinds mooring implements are GitRepository, OCIRepository, ExternalArtifact; Bucket sources (S3, GCS, Azure Blob) are not implemented by mooring: it carries no cloud storage clients; publish the manifests with 'flux push artifact' to an OCI registry or to a Git repository instead",
    );
  });
});
