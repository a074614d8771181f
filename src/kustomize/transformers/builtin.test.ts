import { describe, expect, it } from "vitest";
import { buildTree } from "../testing/tree.js";

/** Golden tests for namespace, namePrefix/nameSuffix with reference fix-ups, labels, annotations and sorting. Expected outputs come from `kubectl kustomize` (kustomize v5.5.0). */
describe("kustomize built-in transformers", () => {
  it("namespace sets namespaced objects, renames Namespace objects and default subjects", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: prod
resources:
- dep.yaml
- other.yaml
`,
      "dep.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
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
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
        volumeMounts:
        - name: data
          mountPath: /data
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`,
      "other.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: runner
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: runner
subjects:
- kind: ServiceAccount
  name: runner
- kind: ServiceAccount
  name: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: runner
rules: []
---
apiVersion: v1
kind: Namespace
metadata:
  name: old
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: viewer
rules: []
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
kind: Namespace
metadata:
  name: prod
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
  namespace: prod
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: runner
  namespace: prod
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: viewer
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: runner
  namespace: prod
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: runner
subjects:
- kind: ServiceAccount
  name: runner
  namespace: prod
- kind: ServiceAccount
  name: default
  namespace: prod
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: prod
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
  namespace: prod
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: settings
        image: nginx:1.25
        name: web
        volumeMounts:
        - mountPath: /data
          name: data
      serviceAccountName: runner
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`);
  });

  it("namePrefix and nameSuffix rename objects and fix references to them", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: pre-
nameSuffix: -suf
resources:
- dep.yaml
- other.yaml
configMapGenerator:
- name: settings
  literals:
  - a=b
`,
      "dep.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
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
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
        volumeMounts:
        - name: data
          mountPath: /data
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`,
      "other.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: runner
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: runner
subjects:
- kind: ServiceAccount
  name: runner
- kind: ServiceAccount
  name: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: runner
rules: []
---
apiVersion: v1
kind: Namespace
metadata:
  name: old
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: viewer
rules: []
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
kind: Namespace
metadata:
  name: old
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: pre-runner-suf
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pre-runner-suf
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: pre-viewer-suf
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: pre-runner-suf
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: pre-runner-suf
subjects:
- kind: ServiceAccount
  name: pre-runner-suf
- kind: ServiceAccount
  name: default
---
apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  name: pre-settings-suf-4h2mbtbbt6
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: pre-data-suf
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: pre-web-suf
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: pre-settings-suf-4h2mbtbbt6
        image: nginx:1.25
        name: web
        volumeMounts:
        - mountPath: /data
          name: data
      serviceAccountName: pre-runner-suf
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: pre-data-suf
`);
  });

  it("commonLabels reach selectors and templates; commonAnnotations reach templates", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
commonLabels:
  team: blue
commonAnnotations:
  owner: "42"
resources:
- dep.yaml
- svc.yaml
`,
      "dep.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
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
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
        volumeMounts:
        - name: data
          mountPath: /data
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`,
      "svc.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
kind: Service
metadata:
  annotations:
    owner: "42"
  labels:
    team: blue
  name: web
spec:
  ports:
  - port: 80
  selector:
    team: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    owner: "42"
  labels:
    app: web
    team: blue
  name: web
spec:
  selector:
    matchLabels:
      app: web
      team: blue
  template:
    metadata:
      annotations:
        owner: "42"
      labels:
        app: web
        team: blue
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: settings
        image: nginx:1.25
        name: web
        volumeMounts:
        - mountPath: /data
          name: data
      serviceAccountName: runner
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`);
  });

  it("labels without selectors touch metadata only; includeTemplates adds pod templates", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
labels:
- pairs:
    tier: front
- pairs:
    release: r1
  includeTemplates: true
resources:
- dep.yaml
- svc.yaml
`,
      "dep.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
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
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
        volumeMounts:
        - name: data
          mountPath: /data
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`,
      "svc.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
kind: Service
metadata:
  labels:
    release: r1
    tier: front
  name: web
spec:
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
    release: r1
    tier: front
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        release: r1
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: settings
        image: nginx:1.25
        name: web
        volumeMounts:
        - mountPath: /data
          name: data
      serviceAccountName: runner
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`);
  });

  it("labels with includeSelectors behave like commonLabels", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
labels:
- pairs:
    tier: front
  includeSelectors: true
resources:
- dep.yaml
- svc.yaml
`,
      "dep.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
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
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
        volumeMounts:
        - name: data
          mountPath: /data
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`,
      "svc.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
kind: Service
metadata:
  labels:
    tier: front
  name: web
spec:
  ports:
  - port: 80
  selector:
    tier: front
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
    tier: front
  name: web
spec:
  selector:
    matchLabels:
      app: web
      tier: front
  template:
    metadata:
      labels:
        app: web
        tier: front
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: settings
        image: nginx:1.25
        name: web
        volumeMounts:
        - mountPath: /data
          name: data
      serviceAccountName: runner
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`);
  });

  it("overlay prefixes stack on base prefixes and references follow", () => {
    const out = buildTree(
      {
      "base/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: b-
resources:
- dep.yaml
- other.yaml
configMapGenerator:
- name: settings
  literals:
  - a=b
`,
      "base/dep.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
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
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
        volumeMounts:
        - name: data
          mountPath: /data
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`,
      "base/other.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: runner
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: runner
subjects:
- kind: ServiceAccount
  name: runner
- kind: ServiceAccount
  name: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: runner
rules: []
---
apiVersion: v1
kind: Namespace
metadata:
  name: old
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: viewer
rules: []
`,
      "overlay/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: o-
namespace: team
resources:
- ../base
`,
      }, "overlay",
    );
    expect(out).toBe(`apiVersion: v1
kind: Namespace
metadata:
  name: team
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: o-b-runner
  namespace: team
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: o-b-runner
  namespace: team
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: o-b-viewer
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: o-b-runner
  namespace: team
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: o-b-runner
subjects:
- kind: ServiceAccount
  name: o-b-runner
  namespace: team
- kind: ServiceAccount
  name: default
  namespace: team
---
apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  name: o-b-settings-4h2mbtbbt6
  namespace: team
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: o-b-data
  namespace: team
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: o-b-web
  namespace: team
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: o-b-settings-4h2mbtbbt6
        image: nginx:1.25
        name: web
        volumeMounts:
        - mountPath: /data
          name: data
      serviceAccountName: o-b-runner
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: o-b-data
`);
  });

  it("legacy sort puts namespaces, RBAC and config first and keeps the rest by type and name", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- dep.yaml
- svc.yaml
- other.yaml
`,
      "dep.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
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
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
        volumeMounts:
        - name: data
          mountPath: /data
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`,
      "svc.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
`,
      "other.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: runner
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: runner
subjects:
- kind: ServiceAccount
  name: runner
- kind: ServiceAccount
  name: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: runner
rules: []
---
apiVersion: v1
kind: Namespace
metadata:
  name: old
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: viewer
rules: []
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
kind: Namespace
metadata:
  name: old
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: runner
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: viewer
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: runner
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: runner
subjects:
- kind: ServiceAccount
  name: runner
- kind: ServiceAccount
  name: default
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: settings
        image: nginx:1.25
        name: web
        volumeMounts:
        - mountPath: /data
          name: data
      serviceAccountName: runner
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`);
  });

  it("sortOptions fifo keeps input order", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
sortOptions:
  order: fifo
resources:
- dep.yaml
- svc.yaml
- other.yaml
`,
      "dep.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
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
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
        volumeMounts:
        - name: data
          mountPath: /data
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
`,
      "svc.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
`,
      "other.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: runner
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: runner
subjects:
- kind: ServiceAccount
  name: runner
- kind: ServiceAccount
  name: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: runner
rules: []
---
apiVersion: v1
kind: Namespace
metadata:
  name: old
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: viewer
rules: []
`,
      },
    );
    expect(out).toBe(`apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: settings
        image: nginx:1.25
        name: web
        volumeMounts:
        - mountPath: /data
          name: data
      serviceAccountName: runner
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: runner
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: runner
subjects:
- kind: ServiceAccount
  name: runner
- kind: ServiceAccount
  name: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: runner
rules: []
---
apiVersion: v1
kind: Namespace
metadata:
  name: old
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: viewer
rules: []
`);
  });
});
