import fc from "fast-check";

/**
 * Issue 18 item 5: random kustomize trees made of the corpus's features, for the differential
 * fuzz test. A tree is a base, an optional component and an overlay that builds both; names,
 * keys and values come from small pools so that references, merges and patches meet their
 * targets often, with tricky scalars (multi-line, YAML 1.1 words, numbers as strings) mixed in.
 */
export type Tree = Record<string, string>;

const VALUES = ["x", "1.0", "yes", "0123", "", "a b", "line1\nline2", "line1\nline2\n", "tab\there", "é", "~", "null", "- dash", "true"];
const KEYS = ["a", "b", "app.conf", "MODE"];
const IMAGES = ["nginx", "nginx:1.25", "busybox", "registry.io/team/app:v1", "postgres@sha256:" + "a".repeat(64)];

const quote = (s: string): string => JSON.stringify(s);
const value = fc.constantFrom(...VALUES);
const key = fc.constantFrom(...KEYS);

/** The base's resources, each a YAML document that refers to the others by name. */
const RESOURCES: Record<string, (v: string) => string> = {
  deployment: (v) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: runner
      containers:
      - name: main
        image: nginx:1.25
        env:
        - name: V
          value: ${quote(v)}
        - name: FROM_CM
          valueFrom:
            configMapKeyRef:
              name: settings
              key: a
        envFrom:
        - secretRef:
            name: creds
      - name: side
        image: busybox
      volumes:
      - name: conf
        configMap:
          name: settings
`,
  service: () => `apiVersion: v1
kind: Service
metadata:
  name: frontend
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
`,
  configmap: (v) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: ${quote(v)}
  host: web.default.svc.cluster.local
`,
  serviceaccount: () => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
`,
  rolebinding: () => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
- kind: ServiceAccount
  name: runner
`,
  statefulset: () => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: frontend
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: postgres@sha256:${"a".repeat(64)}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
`,
  cronjob: () => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: job
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: job
            image: busybox
            envFrom:
            - configMapRef:
                name: settings
`,
  ingress: () => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: frontend
            port:
              number: 80
`,
};

const literals = fc.uniqueArray(fc.tuple(key, value), { maxLength: 3, selector: ([k]) => k }).map((kvs) => kvs.map(([k, v]) => `  - ${quote(`${k}=${v}`)}`));

/**
 * A configMapGenerator or secretGenerator entry (inline literals, or a file and an env file). The
 * overlay and the component merge into or replace the base's `settings` ConfigMap; new ones are
 * created under their own names.
 */
const generator = fc.record({
  kind: fc.constantFrom("configMapGenerator", "secretGenerator"),
  name: fc.constantFrom("settings", "creds", "extra"),
  behavior: fc.constantFrom("merge", "replace"),
  literals,
  file: fc.boolean(),
  noHash: fc.boolean(),
  label: fc.boolean(),
});
type Gen = typeof generator extends fc.Arbitrary<infer T> ? T : never;

function generatorYaml(g: Gen, files: Tree, dir: string): string {
  const modify = g.name === "settings" && g.kind === "configMapGenerator" && dir !== "base";
  const name = g.name === "settings" && !modify ? `settings-${dir}` : `${g.name}-${dir}`;
  const lines = [`- name: ${modify ? "settings" : name}`];
  if (modify) lines.push(`  behavior: ${g.behavior}`);
  if (g.literals.length > 0) lines.push("  literals:", ...g.literals);
  if (g.file) {
    files[`${dir}/${name}.properties`] = "A=1\n# comment\nB=two words\n";
    files[`${dir}/${name}.txt`] = "file body\n";
    lines.push("  envs:", `  - ${name}.properties`, "  files:", `  - body=${name}.txt`);
  }
  const options: string[] = [];
  if (g.noHash) options.push("    disableNameSuffixHash: true");
  if (g.label) options.push("    labels:", "      gen: yes-really");
  if (options.length > 0) lines.push("  options:", ...options);
  return lines.join("\n");
}

/** A `patches:` entry: a strategic merge patch (inline or a file) or a JSON 6902 patch. */
const patch = fc.record({
  type: fc.constantFrom("smp-inline", "smp-file", "json6902", "smp-target"),
  value,
  image: fc.constantFrom(...IMAGES),
});
type Patch = typeof patch extends fc.Arbitrary<infer T> ? T : never;

function patchYaml(p: Patch, files: Tree, dir: string, i: number): string {
  const smp = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: main\n        image: ${p.image}\n        env:\n        - name: PATCHED\n          value: ${quote(p.value)}\n`;
  const indent = (s: string): string => s.trimEnd().split("\n").map((l) => `    ${l}`).join("\n");
  switch (p.type) {
    case "smp-inline":
      return `- patch: |\n${indent(smp)}`;
    case "smp-file":
      files[`${dir}/patch-${i}.yaml`] = smp;
      return `- path: patch-${i}.yaml`;
    case "smp-target":
      return `- target:\n    kind: Deployment\n  patch: |\n${indent("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: any\n  annotations:\n    patched: " + quote(p.value) + "\n")}`;
    default:
      return `- target:\n    kind: ConfigMap\n  patch: |\n${indent(`- op: add\n  path: /data/patched\n  value: ${quote(p.value)}\n- op: replace\n  path: /metadata/labels\n  value: {json: patched}`)}`;
  }
}

/** Replacement sources: kind, name, field path, and the delimiters that split its value. */
const SOURCES = [
  { kind: "Service", name: "frontend", path: "metadata.name", split: [] as Array<[string, number]> },
  { kind: "Service", name: "frontend", path: "spec.ports.0.port", split: [] as Array<[string, number]> },
  { kind: "ConfigMap", name: "settings", path: "data.host", split: [[".", 0], [".", 3], [".", 4], ["/", 0]] as Array<[string, number]> },
  { kind: "Deployment", name: "web", path: "spec.template.spec.containers.0.image", split: [[":", 0], [":", 1]] as Array<[string, number]> },
];
const TARGETS = [
  { kind: "ConfigMap", name: "settings", path: "data.host" },
  { kind: "Ingress", name: "ing", path: "spec.rules.0.host" },
  { kind: "Deployment", name: "web", path: "spec.template.metadata.annotations.src" },
];

/** A replacement: a whole value, or one piece of a delimited one (options.delimiter/index). */
const replacement = fc.record({
  source: fc.constantFrom(...SOURCES),
  sourceSplit: fc.nat(3),
  splitSource: fc.boolean(),
  target: fc.constantFrom(...TARGETS),
  targetDelimiter: fc.option(fc.tuple(fc.constantFrom(".", "-"), fc.integer({ min: -1, max: 5 })), { nil: undefined, freq: 2 }),
  create: fc.boolean(),
});
type Replacement = typeof replacement extends fc.Arbitrary<infer T> ? T : never;

function replacementYaml(r: Replacement): string {
  const lines = ["- source:", `    kind: ${r.source.kind}`, `    name: ${r.source.name}`, `    fieldPath: ${r.source.path}`];
  const split = r.splitSource ? r.source.split[r.sourceSplit % Math.max(1, r.source.split.length)] : undefined;
  if (split) lines.push("    options:", `      delimiter: ${quote(split[0])}`, `      index: ${split[1]}`);
  lines.push("  targets:", "  - select:", `      kind: ${r.target.kind}`, `      name: ${r.target.name}`, "    fieldPaths:", `    - ${r.target.path}`);
  const options: string[] = [];
  if (r.targetDelimiter) options.push(`      delimiter: ${quote(r.targetDelimiter[0])}`, `      index: ${r.targetDelimiter[1]}`);
  // The annotation does not exist before: without create the build fails, which is tested once.
  if (r.create || r.target.kind === "Deployment") options.push("      create: true");
  if (options.length > 0) lines.push("    options:", ...options);
  return lines.join("\n");
}

/** Transformers a kustomization (base, component or overlay) may carry. */
const layer = fc.record({
  namespace: fc.option(fc.constantFrom("prod", "team-a"), { nil: undefined }),
  namePrefix: fc.option(fc.constantFrom("p-", "pre."), { nil: undefined }),
  nameSuffix: fc.option(fc.constantFrom("-s", "-v2"), { nil: undefined }),
  commonLabels: fc.option(fc.dictionary(fc.constantFrom("team", "app", "tier"), value, { maxKeys: 2 }), { nil: undefined }),
  labels: fc.option(fc.record({ pair: fc.constantFrom("env", "app"), value: fc.constantFrom("dev", "web"), selectors: fc.boolean(), templates: fc.boolean() }), { nil: undefined }),
  commonAnnotations: fc.option(fc.dictionary(fc.constantFrom("note", "owner"), value, { maxKeys: 2 }), { nil: undefined }),
  images: fc.array(fc.record({ name: fc.constantFrom("nginx", "busybox", "postgres"), newName: fc.option(fc.constantFrom("mirror.io/nginx", "alpine"), { nil: undefined }), newTag: fc.option(fc.constantFrom("2.0", "1.0", "latest"), { nil: undefined }) }), { maxLength: 2 }),
  generators: fc.uniqueArray(generator, { maxLength: 2, selector: (g) => g.name }),
  patches: fc.array(patch, { maxLength: 2 }),
  replacements: fc.array(replacement, { maxLength: 2 }),
  replicas: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
});
type Layer = typeof layer extends fc.Arbitrary<infer T> ? T : never;

function mapYaml(field: string, m: Record<string, string>): string[] {
  const entries = Object.entries(m);
  return entries.length === 0 ? [] : [`${field}:`, ...entries.map(([k, v]) => `  ${k}: ${quote(v)}`)];
}

function layerYaml(l: Layer, files: Tree, dir: string): string[] {
  const out: string[] = [];
  if (l.namespace) out.push(`namespace: ${l.namespace}`);
  if (l.namePrefix) out.push(`namePrefix: ${l.namePrefix}`);
  if (l.nameSuffix) out.push(`nameSuffix: ${l.nameSuffix}`);
  if (l.commonLabels) out.push(...mapYaml("commonLabels", l.commonLabels));
  if (l.labels) out.push("labels:", `- pairs:\n    ${l.labels.pair}: ${l.labels.value}`, `  includeSelectors: ${l.labels.selectors}`, `  includeTemplates: ${l.labels.templates}`);
  if (l.commonAnnotations) out.push(...mapYaml("commonAnnotations", l.commonAnnotations));
  if (l.images.length > 0) {
    out.push("images:");
    for (const i of l.images) out.push(`- name: ${i.name}`, ...(i.newName ? [`  newName: ${i.newName}`] : []), ...(i.newTag ? [`  newTag: ${quote(i.newTag)}`] : []));
  }
  for (const kind of ["configMapGenerator", "secretGenerator"] as const) {
    const gens = l.generators.filter((g) => g.kind === kind);
    if (gens.length > 0) out.push(`${kind}:`, ...gens.map((g) => generatorYaml(g, files, dir)));
  }
  if (l.patches.length > 0) out.push("patches:", ...l.patches.map((p, i) => patchYaml(p, files, dir, i)));
  if (l.replacements.length > 0) out.push("replacements:", ...l.replacements.map(replacementYaml));
  if (l.replicas !== undefined) out.push("replicas:", "- name: web", `  count: ${l.replicas}`);
  return out;
}

/** Explicit nulls where transformers walk: annotations, a list under a field spec, a selector. */
function withNulls(doc: string): string {
  return doc
    .replace("metadata:\n  name: web\n", "metadata:\n  name: web\n  annotations: null\n")
    .replace("      serviceAccountName: runner\n", "      serviceAccountName: runner\n      initContainers: null\n")
    .replace("spec:\n  selector:\n    app: web\n", "spec:\n  selector: null\n");
}

/** A whole tree: `overlay/` is the root to build. */
export const treeArbitrary: fc.Arbitrary<Tree> = fc
  .record({
    resources: fc.subarray(["serviceaccount", "rolebinding", "statefulset", "cronjob"]).map((r) => ["deployment", "service", "configmap", "ingress", ...r]),
    resourceValue: value,
    split: fc.boolean(),
    /** Input shapes of issue 18: files ending without a line break, explicit nulls. */
    noFinalNewline: fc.boolean(),
    nulls: fc.boolean(),
    base: layer,
    component: fc.option(layer, { nil: undefined }),
    overlay: layer,
  })
  .map((t) => {
    const files: Tree = {};
    const docs = t.resources.map((r) => RESOURCES[r]!(t.resourceValue)).map((d) => (t.nulls ? withNulls(d) : d));
    if (t.noFinalNewline) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: block\ndata:\n  text: |\n    first\n    last`);
    const resourceFiles = t.split ? docs.map((_, i) => `r${i}.yaml`) : ["all.yaml"];
    if (t.split) docs.forEach((d, i) => (files[`base/r${i}.yaml`] = d));
    else files["base/all.yaml"] = docs.join("---\n");
    files["base/kustomization.yaml"] = ["resources:", ...resourceFiles.map((f) => `- ${f}`), ...layerYaml(t.base, files, "base")].join("\n") + "\n";
    const overlay = ["resources:", "- ../base"];
    if (t.component) {
      files["comp/kustomization.yaml"] = ["apiVersion: kustomize.config.k8s.io/v1alpha1", "kind: Component", ...layerYaml(t.component, files, "comp")].join("\n") + "\n";
      overlay.push("components:", "- ../comp");
    }
    files["overlay/kustomization.yaml"] = [...overlay, ...layerYaml(t.overlay, files, "overlay")].join("\n") + "\n";
    return files;
  });
