import { describe, expect, it } from "vitest";
import { buildTree } from "./testing/tree.js";

/** Differential goldens for value types, RBAC references across namespace and prefix changes, replicas and patches, JSON and CRLF inputs. Expected outputs come from `kubectl kustomize` (kustomize v5.5.0). */
describe("kustomize values and references", () => {
  it("namespace and prefix follow a ServiceAccount into RoleBinding subjects and Role resourceNames", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: team
namePrefix: t-
resources:
- rbac.yaml
`,
      "rbac.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app
rules:
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [app-token]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: app
subjects:
- kind: ServiceAccount
  name: app
---
apiVersion: v1
kind: Secret
metadata:
  name: app-token
type: Opaque
stringData:
  token: abc
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: t-app
  namespace: team
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: t-app
  namespace: team
rules:
- apiGroups:
  - ""
  resourceNames:
  - t-app-token
  resources:
  - secrets
  verbs:
  - get
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: t-app
  namespace: team
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: t-app
subjects:
- kind: ServiceAccount
  name: t-app
  namespace: team
---
apiVersion: v1
kind: Secret
metadata:
  name: t-app-token
  namespace: team
stringData:
  token: abc
type: Opaque
`);
  });

  it("value types survive: numbers, booleans, quoted strings, empty and null fields", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- values.yaml
`,
      "values.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: values
spec:
  replicas: 2
  selector:
    matchLabels:
      app: values
  template:
    metadata:
      labels:
        app: values
    spec:
      containers:
      - name: c
        image: "nginx"
        args: ["--port", "8080", "--flag=true", "--ratio", "0.5"]
        ports:
        - containerPort: 8080
          name: http
        resources:
          limits: {cpu: 0.5, memory: 1Gi}
          requests: {cpu: 100m, memory: "128Mi"}
        env:
        - {name: A, value: "true"}
        - {name: B, value: "080"}
        - {name: C, value: "1e3"}
        - {name: D, value: ""}
        - {name: E}
        - name: F
          value: |
            multi
            line
        - name: G
          value: >-
            folded
            text
      tolerations: []
      nodeSelector: {}
      securityContext:
        runAsUser: 1000
        fsGroup: 0x10
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: keys
data:
  "80": port
  "key with spaces": v
  app.kubernetes.io/name: x
  "-dash": y
  "true": z
  "null": n
  empty:
  big: "99999999999999999999"
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  -dash: "y"
  "80": port
  app.kubernetes.io/name: x
  big: "99999999999999999999"
  empty: null
  key with spaces: v
  "null": "n"
  "true": z
kind: ConfigMap
metadata:
  name: keys
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: values
spec:
  replicas: 2
  selector:
    matchLabels:
      app: values
  template:
    metadata:
      labels:
        app: values
    spec:
      containers:
      - args:
        - --port
        - "8080"
        - --flag=true
        - --ratio
        - "0.5"
        env:
        - name: A
          value: "true"
        - name: B
          value: "080"
        - name: C
          value: "1e3"
        - name: D
          value: ""
        - name: E
        - name: F
          value: |
            multi
            line
        - name: G
          value: folded text
        image: nginx
        name: c
        ports:
        - containerPort: 8080
          name: http
        resources:
          limits:
            cpu: 0.5
            memory: 1Gi
          requests:
            cpu: 100m
            memory: 128Mi
      nodeSelector: {}
      securityContext:
        fsGroup: 16
        runAsUser: 1000
      tolerations: []
`);
  });

  it("replicas and patches by name on a prefixed base", () => {
    const out = buildTree(
      {
      "base/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: b-
resources:
- values.yaml
`,
      "base/values.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: values
spec:
  replicas: 2
  selector:
    matchLabels:
      app: values
  template:
    metadata:
      labels:
        app: values
    spec:
      containers:
      - name: c
        image: "nginx"
        args: ["--port", "8080", "--flag=true", "--ratio", "0.5"]
        ports:
        - containerPort: 8080
          name: http
        resources:
          limits: {cpu: 0.5, memory: 1Gi}
          requests: {cpu: 100m, memory: "128Mi"}
        env:
        - {name: A, value: "true"}
        - {name: B, value: "080"}
        - {name: C, value: "1e3"}
        - {name: D, value: ""}
        - {name: E}
        - name: F
          value: |
            multi
            line
        - name: G
          value: >-
            folded
            text
      tolerations: []
      nodeSelector: {}
      securityContext:
        runAsUser: 1000
        fsGroup: 0x10
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: keys
data:
  "80": port
  "key with spaces": v
  app.kubernetes.io/name: x
  "-dash": y
  "true": z
  "null": n
  empty:
  big: "99999999999999999999"
`,
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- base
replicas:
- name: values
  count: 5
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: values
    spec:
      template:
        spec:
          containers:
          - name: c
            image: nginx:1.27
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  -dash: "y"
  "80": port
  app.kubernetes.io/name: x
  big: "99999999999999999999"
  empty: null
  key with spaces: v
  "null": "n"
  "true": z
kind: ConfigMap
metadata:
  name: b-keys
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: b-values
spec:
  replicas: 5
  selector:
    matchLabels:
      app: values
  template:
    metadata:
      labels:
        app: values
    spec:
      containers:
      - args:
        - --port
        - "8080"
        - --flag=true
        - --ratio
        - "0.5"
        env:
        - name: A
          value: "true"
        - name: B
          value: "080"
        - name: C
          value: "1e3"
        - name: D
          value: ""
        - name: E
        - name: F
          value: |
            multi
            line
        - name: G
          value: folded text
        image: nginx:1.27
        name: c
        ports:
        - containerPort: 8080
          name: http
        resources:
          limits:
            cpu: 0.5
            memory: 1Gi
          requests:
            cpu: 100m
            memory: 128Mi
      nodeSelector: {}
      securityContext:
        fsGroup: 16
        runAsUser: 1000
      tolerations: []
`);
  });

  it("JSON resources, CRLF line endings and a leading document separator", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- a.json
- b.yaml
`,
      "a.json": `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "json"}, "data": {"n": "1", "list": "[1,2]"}}`,
      "b.yaml": `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: crlf
data:
  a: b
---
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  name: crlf
---
apiVersion: v1
data:
  list: '[1,2]'
  "n": "1"
kind: ConfigMap
metadata:
  name: json
`);
  });

  it("a Namespace resource is renamed by the namespace transformer", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: prod
resources:
- ns.yaml
`,
      "ns.yaml": `apiVersion: v1
kind: Namespace
metadata:
  name: dev
  labels:
    env: dev
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
kind: Namespace
metadata:
  labels:
    env: dev
  name: prod
`);
  });
});
