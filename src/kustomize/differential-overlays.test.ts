import { describe, expect, it } from "vitest";
import { buildTree } from "./testing/tree.js";

/** Differential goldens for renames by patch, generator merge/replace across overlays, replacements. Expected outputs come from `kubectl kustomize` (kustomize v5.5.0). */
describe("kustomize overlays", () => {
  it("a patch may rename with allowNameChange and references follow the new name", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- app.yaml
configMapGenerator:
- name: app-config
  literals: [a=1]
patches:
- target:
    kind: Deployment
  options:
    allowNameChange: true
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: renamed
`,
      "app.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
      - name: app
        image: app:1
        envFrom:
        - configMapRef: {name: app-config}
        - secretRef: {name: app-secret}
---
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  selector: {app: app}
  ports:
  - port: 80
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  a: "1"
kind: ConfigMap
metadata:
  name: app-config-h29d89cmmt
---
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  ports:
  - port: 80
  selector:
    app: app
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: renamed
spec:
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: app-config-h29d89cmmt
        - secretRef:
            name: app-secret
        image: app:1
        name: app
`);
  });

  it("overlay merges into a base secret and config map across namespace and suffix", () => {
    const out = buildTree(
      {
      "base/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- app.yaml
configMapGenerator:
- name: app-config
  literals: [a=1]
secretGenerator:
- name: app-secret
  literals: [pw=one]
`,
      "base/app.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
      - name: app
        image: app:1
        envFrom:
        - configMapRef: {name: app-config}
        - secretRef: {name: app-secret}
---
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  selector: {app: app}
  ports:
  - port: 80
`,
      "prod/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: prod
nameSuffix: -p
resources:
- ../base
configMapGenerator:
- name: app-config
  behavior: merge
  literals: [b=2]
secretGenerator:
- name: app-secret
  behavior: replace
  literals: [pw=two]
`,
      }, "prod",
    );
    expect(out).toBe(`apiVersion: v1
data:
  a: "1"
  b: "2"
kind: ConfigMap
metadata:
  name: app-config-p-7gdc49gk6d
  namespace: prod
---
apiVersion: v1
data:
  pw: dHdv
kind: Secret
metadata:
  name: app-secret-p-ckf9k94dt7
  namespace: prod
type: Opaque
---
apiVersion: v1
kind: Service
metadata:
  name: app-p
  namespace: prod
spec:
  ports:
  - port: 80
  selector:
    app: app
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-p
  namespace: prod
spec:
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: app-config-p-7gdc49gk6d
        - secretRef:
            name: app-secret-p-ckf9k94dt7
        image: app:1
        name: app
`);
  });

  it("replacements copy a generated name into an annotation after hashing is decided", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- app.yaml
configMapGenerator:
- name: app-config
  literals: [a=1]
replacements:
- source:
    kind: Service
    name: app
    fieldPath: spec.ports.0.port
  targets:
  - select:
      kind: Deployment
    fieldPaths:
    - spec.template.metadata.annotations.port
    options:
      create: true
`,
      "app.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
      - name: app
        image: app:1
        envFrom:
        - configMapRef: {name: app-config}
        - secretRef: {name: app-secret}
---
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  selector: {app: app}
  ports:
  - port: 80
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  a: "1"
kind: ConfigMap
metadata:
  name: app-config-h29d89cmmt
---
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  ports:
  - port: 80
  selector:
    app: app
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      annotations:
        port: 80
      labels:
        app: app
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: app-config-h29d89cmmt
        - secretRef:
            name: app-secret
        image: app:1
        name: app
`);
  });
});
