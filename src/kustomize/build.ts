import path from "node:path";
import { realpathSync } from "node:fs";
import { Accumulator } from "./accumulator.js";
import { configFromCrds } from "./crds.js";
import { KustomizeError } from "./errors.js";
import { runGenerators } from "./generators/run.js";
import { contentHash } from "./hash.js";
import { COMPONENT_KIND, parseKustomization, type Kustomization } from "./kustomization.js";
import { BuildBudget, type BuildLimits } from "./limits.js";
import { Loader } from "./loader.js";
import { PatchSchema } from "./openapi/schema.js";
import { dropEmptyAnnotations, joinOrigin, writeOriginAnnotations } from "./origin.js";
import { parseResources } from "./parse.js";
import type { Resource } from "./resource.js";
import { sortResources } from "./sort.js";
import { mergeTransformerConfig, ownTransformerConfig, parseTransformerConfig } from "./transformer-config.js";
import { fixNameReferences } from "./transformers/name-reference.js";
import { runGeneratorPlugins, runTransformerPlugins } from "./transformers/plugins.js";
import { runTransformers } from "./transformers/run.js";
import { markVarTargets, parseVar, resolveVars, type Var } from "./transformers/vars.js";

/** Options of a build. */
export interface BuildOptions {
  /**
   * Directory no file may be read outside of. Unset: kubectl's LoadRestrictionsRootOnly (each
   * kustomization reads only inside its own directory). Set (Flux): anything inside this root.
   */
  allowedRoot?: string;
  /** Input limits (file size, total bytes, objects); none when unset. */
  limits?: BuildLimits;
}

/** A loaded kustomization directory. */
export interface Target {
  ldr: Loader;
  k: Kustomization;
  /** The kustomization file, for messages. */
  file: string;
  /** Its base name (kustomization.yaml, ...). */
  fileName: string;
  /** Directory relative to the top kustomization, when origins are tracked (buildMetadata). */
  originPath?: string;
}

/** Loads the kustomization file of a directory (missing file is an error naming the directory). */
export function loadTarget(ldr: Loader): Target {
  const name = ldr.findKustomizationFile();
  if (!name) {
    throw new KustomizeError(
      `unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${ldr.display(ldr.dir)}'`,
    );
  }
  const { text, file } = ldr.read(name);
  return { ldr, k: parseKustomization(text, ldr.display(file)), file: ldr.display(file), fileName: name };
}

/** Builds recursively; `stack` holds the directories being built, to detect cycles. */
class Builder {
  private readonly stack: string[] = [];
  /** Like kustomize's global OpenAPI schema: a kustomization's `openapi.path` replaces it. */
  schema = PatchSchema.builtin();

  accumulateTarget(t: Target, ra: Accumulator): Accumulator {
    this.checkUnsupported(t);
    const openapi = t.k.openapi?.["path"];
    if (openapi) this.schema = PatchSchema.fromDocument(t.ldr.read(openapi).text, t.ldr.display(t.ldr.resolve(openapi)));
    for (const p of t.k.resources ?? []) this.accumulateResource(t, ra, String(p));
    const files = (t.k.configurations ?? []).map((c) => {
      const { text, file } = t.ldr.read(String(c));
      return parseTransformerConfig(text, t.ldr.display(file));
    });
    mergeTransformerConfig(ra.config, ownTransformerConfig(files));
    for (const c of t.k.crds ?? []) {
      const { text, file } = t.ldr.read(String(c));
      mergeTransformerConfig(ra.config, configFromCrds(text, t.ldr.display(file)));
    }
    runGenerators(t, ra);
    if (t.k.generators?.length) runGeneratorPlugins(this.pluginConfigs(t, t.k.generators), t, ra);
    for (const c of t.k.components ?? []) ra = this.accumulateDir(t, String(c), ra, true);
    runTransformers(t, ra, this.schema);
    if (t.k.transformers?.length) runTransformerPlugins(this.pluginConfigs(t, t.k.transformers), t, ra, this.schema);
    if (Array.isArray(t.k.vars)) {
      const vars = t.k.vars.map(parseVar);
      ra.addVars(vars, t.file);
      markVarTargets(ra.resources, vars, (v, kind) => this.schema.isClusterScoped(v, kind));
    }
    return ra;
  }

  /** Features kubectl's default build refuses too: Helm inflation, plugin validators, other schemas. */
  private checkUnsupported(t: Target): void {
    const k = t.k;
    const helm = (k["helmCharts"] as unknown[] | undefined)?.length || (k["helmChartInflationGenerator"] as unknown[] | undefined)?.length;
    if (helm) throw new KustomizeError("helm charts are not supported: kustomize inflates them only with --enable-helm", { file: t.file });
    if (k.validators?.length) throw new KustomizeError("validators need kustomize plugins, which are disabled", { file: t.file });
    const version = k.openapi?.["version"];
    if (version && version !== "v1.21.2") throw new KustomizeError("the specified OpenAPI version is not built in", { file: t.file });
  }

  /** Plugin configurations: inline YAML, files, or directories built like bases. */
  private pluginConfigs(t: Target, entries: readonly unknown[]): Resource[] {
    const out: Resource[] = [];
    for (const e of entries) {
      const text = typeof e === "string" ? e : String(e);
      const inline = text.includes("\n") ? parseResources(text, t.file) : [];
      if (inline.length > 0) {
        const origin = t.originPath === undefined ? undefined : { path: joinOrigin(t.originPath, t.fileName) };
        for (const r of inline) r.originInfo = origin;
        out.push(...inline);
        continue;
      }
      const acc = new Accumulator();
      this.accumulateResource(t, acc, text);
      out.push(...acc.resources);
    }
    return out;
  }

  private accumulateResource(t: Target, ra: Accumulator, p: string): void {
    if (!t.ldr.isDir(p)) {
      const { text, file } = t.ldr.read(p);
      const resources = parseResources(text, t.ldr.display(file));
      t.ldr.budget.parsed(resources.length, t.ldr.display(file));
      if (t.originPath !== undefined) for (const r of resources) r.originInfo = { path: joinOrigin(t.originPath, p) };
      ra.append(resources, t.file);
      return;
    }
    const sub = this.accumulateDir(t, p, new Accumulator(), false);
    ra.mergeFrom(sub, t.file);
  }

  private accumulateDir(t: Target, p: string, ra: Accumulator, component: boolean): Accumulator {
    const ldr = t.ldr.child(p);
    if (this.stack.includes(ldr.dir)) {
      throw new KustomizeError(`cycle detected: '${ldr.display(ldr.dir)}' includes itself`, { file: t.file });
    }
    const sub = loadTarget(ldr);
    if (t.originPath !== undefined) sub.originPath = joinOrigin(t.originPath, p);
    const isComponent = sub.k.kind === COMPONENT_KIND;
    if (component && !isComponent) {
      throw new KustomizeError(`expected kind 'Component' for path '${ldr.display(ldr.dir)}' but got '${sub.k.kind}'`, { file: t.file });
    }
    if (!component && isComponent) {
      throw new KustomizeError(`expected kind != 'Component' for path '${ldr.display(ldr.dir)}'`, { file: t.file });
    }
    this.stack.push(ldr.dir);
    try {
      if (!component) return this.accumulateTarget(sub, new Accumulator());
      const out = this.accumulateTarget(sub, ra);
      const fresh = new Accumulator();
      fresh.mergeFrom(out, t.file);
      return fresh;
    } finally {
      this.stack.pop();
    }
  }

  run(root: string, options: BuildOptions): Resource[] {
    const dir = realpathSync(root);
    const allowed = options.allowedRoot === undefined ? undefined : realpathSync(options.allowedRoot);
    const budget = new BuildBudget(options.limits);
    const ldr = new Loader(dir, { allowedRoot: allowed, displayRoot: allowed ?? dir, budget });
    const t = loadTarget(ldr);
    const metadata = (t.k.buildMetadata ?? []).map(String);
    if (metadata.length > 0) t.originPath = "";
    this.stack.push(dir);
    const ra = this.accumulateTarget(t, new Accumulator());
    for (const r of ra.resources) {
      if (!r.needsHash) continue;
      const h = contentHash(r);
      r.rememberId();
      r.setName(`${r.name()}-${h}`);
    }
    fixNameReferences(ra.resources, ra.config.nameReference);
    resolveVars(ra.resources, ra.vars as Var[], ra.config.varReference);
    const kept = ra.resources.filter((r) => r.annotations().get("config.kubernetes.io/local-config") !== "true");
    for (const r of kept) {
      dropEmptyAnnotations(r);
      writeOriginAnnotations(r, metadata.includes("originAnnotations"), metadata.includes("transformerAnnotations"));
    }
    return sortResources(kept, t.k);
  }
}

/**
 * Builds the kustomization at `root` (kustomize's pipeline: resources, generators, components,
 * transformers, then hash suffixes, name-reference fix-ups, vars and sorting) and returns the
 * resources in output order.
 */
export function buildSync(root: string, options: BuildOptions = {}): Resource[] {
  return new Builder().run(path.resolve(root), options);
}
