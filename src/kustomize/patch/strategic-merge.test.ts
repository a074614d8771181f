import { describe, expect, it } from "vitest";
import type { YAMLMap } from "yaml";
import { PatchSchema } from "../openapi/schema.js";
import { applyStrategicMergePatch } from "./strategic-merge.js";
import { normalize, parseNode, render } from "./testing.js";

// Expected outputs were produced by `kubectl kustomize` (kustomize v5.5.0) on a kustomization with
// the target as its only resource and the patch as its only `patches` entry.
interface Case {
  name: string;
  target: string;
  patch: string;
  expected?: string;
  error?: string;
}

const cases: Case[] = [
  {
    name: "merges containers by name, patch elements first",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1
      - name: sidecar
        image: side:1
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: sidecar
        image: side:2
      - name: extra
        image: extra:1
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - image: side:2
        name: sidecar
      - image: extra:1
        name: extra
      - image: app:1
        name: app
`,
  },
  {
    name: "deletes a list element with $patch: delete",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1
      - name: sidecar
        image: side:1
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: sidecar
        $patch: delete
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - image: app:1
        name: app
`,
  },
  {
    name: "deletes the whole resource",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
$patch: delete
`,
    expected: ``,
  },
  {
    name: "replaces a map with $patch: replace",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        a: "1"
        b: "2"
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        $patch: replace
        c: "3"
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        c: "3"
`,
  },
  {
    name: "replaces a merged list with a {$patch: replace} element",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1
      - name: sidecar
        image: side:1
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - $patch: replace
      - name: only
        image: only:1
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - image: only:1
        name: only
`,
  },
  {
    name: "replaces lists without a merge strategy",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1
        args: [a, b]
        command: [x]
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        args: [c]
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - args:
        - c
        command:
        - x
        image: app:1
        name: app
`,
  },
  {
    name: "replaces every list of an unknown kind and merges its maps",
    target: `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  items:
  - name: a
    v: 1
  - name: b
  nested:
    keep: yes
    change: old
`,
    patch: `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  items:
  - name: a
    v: 2
  nested:
    change: new
`,
    expected: `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  items:
  - name: a
    v: 2
  nested:
    change: new
    keep: "yes"
`,
  },
  {
    name: "null removes a key; empty target values vanish; target nulls survive",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  paused:
  revisionHistoryLimit: null
  template:
    metadata:
      annotations:
        drop: me
        keep: me
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  template:
    metadata:
      annotations:
        drop: null
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  revisionHistoryLimit: null
  template:
    metadata:
      annotations:
        keep: me
`,
  },
  {
    name: "matches container ports by containerPort and protocol",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        ports:
        - containerPort: 80
          protocol: TCP
          name: http
        - containerPort: 53
          protocol: UDP
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        ports:
        - containerPort: 80
          name: web
        - containerPort: 53
          protocol: TCP
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        ports:
        - containerPort: 53
          protocol: TCP
        - containerPort: 80
          name: http
          protocol: TCP
        - containerPort: 53
          protocol: UDP
`,
  },
  {
    name: "merges env by name and volumes by name",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      volumes:
      - name: data
        emptyDir: {}
      containers:
      - name: app
        env:
        - name: A
          value: "1"
        - name: B
          value: "2"
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      volumes:
      - name: data
        configMap:
          name: cm
      - name: more
        secret:
          secretName: s
      containers:
      - name: app
        env:
        - name: B
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: C
          value: "3"
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - env:
        - name: B
          value: "2"
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: C
          value: "3"
        - name: A
          value: "1"
        name: app
      volumes:
      - configMap:
          name: cm
        emptyDir: {}
        name: data
      - name: more
        secret:
          secretName: s
`,
  },
  {
    name: "merges finalizers by value",
    target: `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  finalizers: [a, b]
data:
  k: v
`,
    patch: `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  finalizers: [c, a]
data:
  k2: v2
`,
    expected: `apiVersion: v1
data:
  k: v
  k2: v2
kind: ConfigMap
metadata:
  finalizers:
  - c
  - a
  - b
  name: cm
`,
  },
  {
    name: "copies $setElementOrder and $retainKeys like ordinary keys",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: a
        image: a
      - name: b
        image: b
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      $setElementOrder/containers:
      - name: b
      - name: a
      containers:
      - name: b
        image: b2
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      $setElementOrder/containers:
      - name: b
      - name: a
      containers:
      - image: b2
        name: b
      - image: a
        name: a
`,
  },
  {
    name: "drops nulls and directives inside newly added subtrees",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        runAsUser: null
        fsGroup: 2000
      containers:
      - name: new
        image: new
        resources: null
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - image: new
        name: new
      securityContext:
        fsGroup: 2000
`,
  },
  {
    name: "deletes a map with $patch: delete",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        runAsUser: 1000
      containers:
      - name: app
        image: app
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        $patch: delete
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - image: app
        name: app
`,
  },
  {
    name: "uses merge keys of kinds kustomize's schema still knows (batch/v1beta1 CronJob)",
    target: `apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: cj
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: a
            image: a
`,
    patch: `apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: cj
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: b
            image: b
`,
    expected: `apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: cj
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - image: b
            name: b
          - image: a
            name: a
  schedule: '* * * * *'
`,
  },
  {
    name: "merges a list element that lacks fields and keeps target element order after patch",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      imagePullSecrets:
      - name: one
      - name: two
      - name: three
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      imagePullSecrets:
      - name: three
      - name: one
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      imagePullSecrets:
      - name: three
      - name: one
      - name: two
`,
  },
  {
    name: "patch can change a scalar into a map only when kinds agree (error)",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas:
    a: b
`,
    error: "wrong node kind: expected ScalarNode but got MappingNode: node contents:",
  },
  {
    name: "delete a list element missing from target is a no-op",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: app
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: ghost
        $patch: delete
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - image: app
        name: app
`,
  },
  {
    name: "merge directive in list is removed",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: app
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - $patch: merge
      - name: app
        image: app2
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - image: app2
        name: app
`,
  },
  {
    name: "patch with null list clears it",
    target: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: app
      volumes:
      - name: v
`,
    patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      volumes: null
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - image: app
        name: app
`,
  },
  {
    // Corpus: krusty/multiplepatch/TestSmpWithDifferentKeysOnDifferentPorts (kubectl output).
    name: "keeps target order of ports with two merge keys when the patch leaves them alone",
    target: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: myapp
spec:
  template:
    spec:
      containers:
        - name: consul
          ports:
            - containerPort: 8500
              name: http
            - containerPort: 8301
              protocol: "TCP"
              name: serflan-tcp
            - containerPort: 8301
              protocol: "UDP"
              name: serflan-udp
            - containerPort: 8302
              name: serfwan
`,
    patch: `kind: StatefulSet
metadata:
  name: myapp
  labels:
    test: label
`,
    expected: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  labels:
    test: label
  name: myapp
spec:
  template:
    spec:
      containers:
      - name: consul
        ports:
        - containerPort: 8500
          name: http
        - containerPort: 8301
          name: serflan-tcp
          protocol: TCP
        - containerPort: 8301
          name: serflan-udp
          protocol: UDP
        - containerPort: 8302
          name: serfwan
`,
  },
  {
    // kubectl kustomize v5.5.0 output: kyaml finds a schema by apiVersion/kind for nested objects.
    name: "uses the schema of an embedded object's apiVersion and kind inside an unknown kind",
    target: `apiVersion: example.com/v1
kind: Wrapper
metadata: {name: w}
spec:
  template:
    apiVersion: apps/v1
    kind: Deployment
    spec: {template: {spec: {containers: [{name: a, image: a}]}}}
`,
    patch: `apiVersion: example.com/v1
kind: Wrapper
metadata: {name: w}
spec:
  template:
    spec: {template: {spec: {containers: [{name: b, image: b}]}}}
`,
    expected: `apiVersion: example.com/v1
kind: Wrapper
metadata:
  name: w
spec:
  template:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      template:
        spec:
          containers:
          - image: b
            name: b
          - image: a
            name: a
`,
  },
];

describe("applyStrategicMergePatch", () => {
  for (const c of cases) {
    it(c.name, () => {
      const run = () =>
        applyStrategicMergePatch(parseNode(c.target) as YAMLMap, parseNode(c.patch) as YAMLMap, PatchSchema.builtin());
      if (c.error !== undefined) {
        expect(run).toThrow(c.error.split(":")[0]);
        return;
      }
      const out = run();
      expect(out === null ? "" : render([out])).toBe(normalize(c.expected!));
    });
  }

  it("leaves the patch untouched so it can be applied to several targets", () => {
    const patch = parseNode("spec:\n  template:\n    spec:\n      containers:\n      - name: a\n        $patch: delete\n");
    const before = render([patch]);
    applyStrategicMergePatch(parseNode("kind: Deployment\napiVersion: apps/v1\nspec: {}\n") as YAMLMap, patch as YAMLMap, PatchSchema.builtin());
    expect(render([patch])).toBe(before);
  });
});
