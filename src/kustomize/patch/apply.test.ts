import { describe, expect, it } from "vitest";
import { parse, type YAMLMap } from "yaml";
import { PatchSchema } from "../openapi/schema.js";
import { render } from "../output.js";
import { Resource, resIdString } from "../resource.js";
import { applyPatch } from "./apply.js";
import { applyLegacyJson6902, applyLegacyStrategicMerge, loadLegacyStrategicMerge, type LegacyJson6902Spec } from "./legacy.js";
import { loadPatch, type PatchSpec } from "./load.js";
import { parseNodes } from "./testing.js";

// Expected outputs and errors come from `kubectl kustomize` (kustomize v5.5.0) on
// `resources: [target.yaml]` plus the kustomization text of each case.
const resources = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-a
  labels: {tier: web}
  annotations: {team: blue}
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-b
  namespace: prod
  labels: {tier: api, legacy: "true"}
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  labels: {tier: batch}
spec:
  replicas: 1
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
`;

interface Case {
  name: string;
  kustomization: string;
  files?: Record<string, string>;
  expected?: string;
  error?: string;
}

const cases: Case[] = [
  {
    name: "SMP with a label selector target patches every match, whatever the patch's name",
    kustomization: `patches:
- target: {labelSelector: "tier in (web, api)"}
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: does-not-matter
    spec:
      replicas: 5
`,
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    legacy: "true"
    tier: api
  name: web-b
  namespace: prod
spec:
  replicas: 5
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    team: blue
  labels:
    tier: web
  name: web-a
spec:
  replicas: 5
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: batch
  name: worker
spec:
  replicas: 1
`,
  },
  {
    name: "regexes on kind and name are anchored",
    kustomization: `patches:
- target: {kind: Deploy.*, name: web-(a|b)}
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 2
- target: {name: web}
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 9
`,
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    legacy: "true"
    tier: api
  name: web-b
  namespace: prod
spec:
  replicas: 2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    team: blue
  labels:
    tier: web
  name: web-a
spec:
  replicas: 2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: batch
  name: worker
spec:
  replicas: 1
`,
  },
  {
    name: "SMP without target finds its resource by id; an empty namespace is default",
    kustomization: `patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: worker
      namespace: default
    spec:
      replicas: 3
`,
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    legacy: "true"
    tier: api
  name: web-b
  namespace: prod
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    team: blue
  labels:
    tier: web
  name: web-a
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: batch
  name: worker
spec:
  replicas: 3
`,
  },
  {
    name: "several SMP documents in one entry patch their own resources",
    kustomization: `patches:
- path: patch.yaml
`,
    files: {"patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-a\nspec:\n  replicas: 7\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-b\n  namespace: prod\nspec:\n  paused: true\n"},
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    legacy: "true"
    tier: api
  name: web-b
  namespace: prod
spec:
  paused: true
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    team: blue
  labels:
    tier: web
  name: web-a
spec:
  replicas: 7
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: batch
  name: worker
spec:
  replicas: 1
`,
  },
  {
    name: "several SMP documents with a target is an error",
    kustomization: `patches:
- target: {kind: Deployment}
  path: patch.yaml
`,
    files: {"patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-a\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-b\n"},
    error: "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field: [path: \"patch.yaml\"]",
  },
  {
    name: "SMP without a matching resource is an error",
    kustomization: `patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web-b
    spec:
      replicas: 3
`,
    error: "no resource matches strategic merge patch \"Deployment.v1.apps/web-b.[noNs]\": no matches for Id Deployment.v1.apps/web-b.[noNs]; failed to find unique target for patch Deployment.v1.apps/web-b.[noNs]",
  },
  {
    name: "JSON patch by annotation selector",
    kustomization: `patches:
- target: {annotationSelector: team=blue}
  path: ops.json
`,
    files: {"ops.json": "[{\"op\": \"add\", \"path\": \"/spec/paused\", \"value\": true}]"},
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    legacy: "true"
    tier: api
  name: web-b
  namespace: prod
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    team: blue
  labels:
    tier: web
  name: web-a
spec:
  paused: true
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: batch
  name: worker
spec:
  replicas: 1
`,
  },
  {
    name: "JSON patch without a target is an error",
    kustomization: `patches:
- patch: |-
    - op: add
      path: /spec/paused
      value: true
`,
    error: "must specify a target for JSON patch [patch: \"- op: add\\n  path: /spec/paused\\n  value: true\"]",
  },
  {
    name: "selecting nothing is not an error; !tier selects resources without the label",
    kustomization: `patches:
- target: {kind: StatefulSet}
  patch: |-
    - op: remove
      path: /spec/none
- target: {labelSelector: "!tier"}
  patch: |-
    kind: Deployment
    metadata:
      name: x
    spec:
      replicas: 0
`,
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
spec:
  replicas: 0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    legacy: "true"
    tier: api
  name: web-b
  namespace: prod
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    team: blue
  labels:
    tier: web
  name: web-a
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: batch
  name: worker
spec:
  replicas: 1
`,
  },
  {
    name: "$patch: delete with a target removes the selected resources",
    kustomization: `patches:
- target: {labelSelector: "legacy"}
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: any
    $patch: delete
`,
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    team: blue
  labels:
    tier: web
  name: web-a
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: batch
  name: worker
spec:
  replicas: 1
`,
  },
  {
    name: "allowNameChange lets the patch rename",
    kustomization: `patches:
- target: {name: worker}
  options: {allowNameChange: true}
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: worker-renamed
`,
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    legacy: "true"
    tier: api
  name: web-b
  namespace: prod
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    team: blue
  labels:
    tier: web
  name: web-a
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: batch
  name: worker-renamed
spec:
  replicas: 1
`,
  },
  {
    name: "a namespace target never selects cluster-scoped kinds; default matches unset namespaces",
    kustomization: `patches:
- target: {namespace: default}
  patch: |-
    - op: add
      path: /metadata/annotations
      value: {picked: "yes"}
`,
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    legacy: "true"
    tier: api
  name: web-b
  namespace: prod
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    picked: "yes"
  labels:
    tier: web
  name: web-a
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    picked: "yes"
  labels:
    tier: batch
  name: worker
spec:
  replicas: 1
`,
  },
  {
    name: "patch and path together is an error",
    kustomization: `patches:
- path: p.yaml
  patch: |-
    kind: Deployment
`,
    files: {"p.yaml": "kind: Deployment\n"},
    error: "patch and path can't be set at the same time",
  },
  {
    name: "legacy patchesStrategicMerge (file and inline) and patchesJson6902",
    kustomization: `patchesStrategicMerge:
- sm.yaml
- |-
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: worker
  spec:
    replicas: 4
patchesJson6902:
- target: {group: apps, version: v1, kind: Deployment, name: web-a}
  path: ops.yaml
`,
    files: {"sm.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-b\n  namespace: prod\nspec:\n  replicas: 8\n", "ops.yaml": "- op: replace\n  path: /spec/replicas\n  value: 6\n"},
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    legacy: "true"
    tier: api
  name: web-b
  namespace: prod
spec:
  replicas: 8
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    team: blue
  labels:
    tier: web
  name: web-a
spec:
  replicas: 6
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: batch
  name: worker
spec:
  replicas: 4
`,
  },
  {
    name: "a patch that names a kind change keeps the kind unless allowed",
    kustomization: `patches:
- target: {name: worker}
  patch: |-
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: worker
    spec:
      serviceName: s
`,
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    legacy: "true"
    tier: api
  name: web-b
  namespace: prod
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    team: blue
  labels:
    tier: web
  name: web-a
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: batch
  name: worker
spec:
  replicas: 1
  serviceName: s
`,
  },
];

interface Kustomization {
  patches?: PatchSpec[];
  patchesStrategicMerge?: string[];
  patchesJson6902?: LegacyJson6902Spec[];
}

/** Runs the patch fields in kustomize's transformer order and sorts like its legacy order. */
function build(c: Case): string {
  const schema = PatchSchema.builtin();
  const k = parse(c.kustomization) as Kustomization;
  const readFile = (p: string): string => {
    const text = c.files?.[p];
    if (text === undefined) throw new Error(`no file ${p}`);
    return text;
  };
  let res = parseNodes(resources).map((n) => new Resource(n as YAMLMap));
  res = applyLegacyStrategicMerge(res, loadLegacyStrategicMerge(k.patchesStrategicMerge ?? [], readFile), schema);
  for (const spec of k.patches ?? []) res = applyPatch(res, loadPatch(spec, readFile), schema);
  for (const spec of k.patchesJson6902 ?? []) applyLegacyJson6902(res, spec, readFile, schema);
  const rank = (r: Resource): number => (r.kind() === "ClusterRole" ? 0 : 1);
  res.sort((a, b) => rank(a) - rank(b) || (resIdString(a.id()) < resIdString(b.id()) ? -1 : 1));
  return render(res);
}

// Both from the corpus (kustomize's examples/inlinePatch.md and TestSinglePatchWithMultiplePatchDeleteDirectives),
// where kubectl kustomize v5.5.0 fails.
cases.push(
  {
    name: "a JSON patch that turns annotations into a scalar drops them",
    kustomization: `patches:
- target: {name: web-a}
  patch: |-
    - op: replace
      path: /metadata/annotations
      value: 1
`,
    expected: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    legacy: "true"
    tier: api
  name: web-b
  namespace: prod
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: web
  name: web-a
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    tier: batch
  name: worker
spec:
  replicas: 1
`,
  },
  {
    name: "a JSON patch that removes the name fails",
    kustomization: `patches:
- target: {name: web-a}
  patch: |-
    - op: replace
      path: /metadata/name
      value: null
`,
    error: "missing metadata.name in object",
  },
  {
    name: "a patch with an empty key is neither SMP nor JSON patch",
    kustomization: `patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web-a
    spec:
      template:
        spec:
          containers:
          - name: nginx
            : delete
`,
    error: "unable to parse SM or JSON patch from [patch:",
  },
  {
    name: "a document after one that deletes a resource in the same entry fails (kustomize panics)",
    kustomization: `patches:
- path: p.yaml
`,
    files: {
      "p.yaml": "$patch: delete\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-a\nspec:\n  replicas: 2\n",
    },
    error: "kustomize v5.5 panics here",
  },
);

describe("patches entries", () => {
  for (const c of cases) {
    it(c.name, () => {
      if (c.error !== undefined) {
        expect(() => build(c)).toThrow(c.error);
        return;
      }
      expect(build(c)).toBe(c.expected);
    });
  }
});
