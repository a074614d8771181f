import { describe, expect, it } from "vitest";
import { buildTree } from "./testing/tree.js";

/** Differential goldens for what real repositories use more than the corpus: workload kinds, selectors, namespace on cluster objects, configurations, images, components, reused bases, tricky data. Expected outputs come from `kubectl kustomize` (kustomize v5.5.0). */
describe("kustomize beyond the corpus", () => {
  it("workload kinds: selectors, templates, claims, references with prefix and labels", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: p-
commonLabels:
  team: t
resources:
- work.yaml
secretGenerator:
- name: db-secret
  literals: [pw=x]
`,
      "work.yaml": `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      priorityClassName: high
      initContainers:
      - name: init
        image: busybox
      containers:
      - name: db
        image: postgres:15
        env:
        - name: PW
          valueFrom:
            secretKeyRef: {name: db-secret, key: pw}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      storageClassName: fast
      accessModes: [ReadWriteOnce]
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  selector: {app: db}
  ports:
  - port: 5432
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: b
            image: postgres:15
            envFrom:
            - secretRef: {name: db-secret}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: db}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
spec:
  podSelector:
    matchLabels: {app: db}
  ingress:
  - from:
    - podSelector:
        matchLabels: {role: client}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: db
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: StatefulSet
    name: db
  minReplicas: 1
  maxReplicas: 3
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: db-secret
spec:
  tls:
  - secretName: db-secret
    hosts: [example.com]
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: db
            port: {number: 5432}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high
value: 1000
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: example.com/fast
`,
      },
    );
    expect(out).toBe(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  labels:
    team: t
  name: p-fast
provisioner: example.com/fast
---
apiVersion: v1
data:
  pw: eA==
kind: Secret
metadata:
  labels:
    team: t
  name: p-db-secret-b287528h4m
type: Opaque
---
apiVersion: v1
kind: Service
metadata:
  labels:
    team: t
  name: p-db
spec:
  ports:
  - port: 5432
  selector:
    app: db
    team: t
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  labels:
    team: t
  name: p-high
value: 1000
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  labels:
    team: t
  name: p-db
spec:
  selector:
    matchLabels:
      app: db
      team: t
  serviceName: p-db
  template:
    metadata:
      labels:
        app: db
        team: t
    spec:
      containers:
      - env:
        - name: PW
          valueFrom:
            secretKeyRef:
              key: pw
              name: p-db-secret-b287528h4m
        image: postgres:15
        name: db
      initContainers:
      - image: busybox
        name: init
      priorityClassName: p-high
  volumeClaimTemplates:
  - metadata:
      labels:
        team: t
      name: data
    spec:
      accessModes:
      - ReadWriteOnce
      storageClassName: p-fast
---
apiVersion: batch/v1
kind: CronJob
metadata:
  labels:
    team: t
  name: p-backup
spec:
  jobTemplate:
    metadata:
      labels:
        team: t
    spec:
      template:
        metadata:
          labels:
            team: t
        spec:
          containers:
          - envFrom:
            - secretRef:
                name: p-db-secret-b287528h4m
            image: postgres:15
            name: b
          restartPolicy: OnFailure
  schedule: 0 * * * *
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  labels:
    team: t
  name: p-db
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: db
      team: t
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  labels:
    team: t
  name: p-db
spec:
  maxReplicas: 3
  minReplicas: 1
  scaleTargetRef:
    apiVersion: apps/v1
    kind: StatefulSet
    name: p-db
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: p-db-secret-b287528h4m
  labels:
    team: t
  name: p-web
spec:
  rules:
  - host: example.com
    http:
      paths:
      - backend:
          service:
            name: p-db
            port:
              number: 5432
        path: /
        pathType: Prefix
  tls:
  - hosts:
    - example.com
    secretName: p-db-secret-b287528h4m
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  labels:
    team: t
  name: p-db
spec:
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: client
          team: t
  podSelector:
    matchLabels:
      app: db
      team: t
`);
  });

  it("labels includeSelectors and includeTemplates on workload kinds", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
labels:
- pairs: {sel: 'on'}
  includeSelectors: true
- pairs: {tmpl: 'y'}
  includeTemplates: true
- pairs: {meta: only}
resources:
- work.yaml
`,
      "work.yaml": `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      priorityClassName: high
      initContainers:
      - name: init
        image: busybox
      containers:
      - name: db
        image: postgres:15
        env:
        - name: PW
          valueFrom:
            secretKeyRef: {name: db-secret, key: pw}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      storageClassName: fast
      accessModes: [ReadWriteOnce]
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  selector: {app: db}
  ports:
  - port: 5432
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: b
            image: postgres:15
            envFrom:
            - secretRef: {name: db-secret}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: db}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
spec:
  podSelector:
    matchLabels: {app: db}
  ingress:
  - from:
    - podSelector:
        matchLabels: {role: client}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: db
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: StatefulSet
    name: db
  minReplicas: 1
  maxReplicas: 3
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: db-secret
spec:
  tls:
  - secretName: db-secret
    hosts: [example.com]
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: db
            port: {number: 5432}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high
value: 1000
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: example.com/fast
`,
      },
    );
    expect(out).toBe(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  labels:
    meta: only
    sel: "on"
    tmpl: "y"
  name: fast
provisioner: example.com/fast
---
apiVersion: v1
kind: Service
metadata:
  labels:
    meta: only
    sel: "on"
    tmpl: "y"
  name: db
spec:
  ports:
  - port: 5432
  selector:
    app: db
    sel: "on"
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  labels:
    meta: only
    sel: "on"
    tmpl: "y"
  name: high
value: 1000
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  labels:
    meta: only
    sel: "on"
    tmpl: "y"
  name: db
spec:
  selector:
    matchLabels:
      app: db
      sel: "on"
  serviceName: db
  template:
    metadata:
      labels:
        app: db
        sel: "on"
        tmpl: "y"
    spec:
      containers:
      - env:
        - name: PW
          valueFrom:
            secretKeyRef:
              key: pw
              name: db-secret
        image: postgres:15
        name: db
      initContainers:
      - image: busybox
        name: init
      priorityClassName: high
  volumeClaimTemplates:
  - metadata:
      labels:
        sel: "on"
        tmpl: "y"
      name: data
    spec:
      accessModes:
      - ReadWriteOnce
      storageClassName: fast
---
apiVersion: batch/v1
kind: CronJob
metadata:
  labels:
    meta: only
    sel: "on"
    tmpl: "y"
  name: backup
spec:
  jobTemplate:
    metadata:
      labels:
        sel: "on"
        tmpl: "y"
    spec:
      template:
        metadata:
          labels:
            sel: "on"
            tmpl: "y"
        spec:
          containers:
          - envFrom:
            - secretRef:
                name: db-secret
            image: postgres:15
            name: b
          restartPolicy: OnFailure
  schedule: 0 * * * *
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  labels:
    meta: only
    sel: "on"
    tmpl: "y"
  name: db
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: db
      sel: "on"
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  labels:
    meta: only
    sel: "on"
    tmpl: "y"
  name: db
spec:
  maxReplicas: 3
  minReplicas: 1
  scaleTargetRef:
    apiVersion: apps/v1
    kind: StatefulSet
    name: db
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: db-secret
  labels:
    meta: only
    sel: "on"
    tmpl: "y"
  name: web
spec:
  rules:
  - host: example.com
    http:
      paths:
      - backend:
          service:
            name: db
            port:
              number: 5432
        path: /
        pathType: Prefix
  tls:
  - hosts:
    - example.com
    secretName: db-secret
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  labels:
    meta: only
    sel: "on"
    tmpl: "y"
  name: db
spec:
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: client
          sel: "on"
  podSelector:
    matchLabels:
      app: db
      sel: "on"
`);
  });

  it("namespace on cluster-scoped objects, webhooks, API services, CRD conversion and binding subjects", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: target
nameSuffix: -x
resources:
- cluster.yaml
`,
      "cluster.yaml": `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: hook
webhooks:
- name: check.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig:
    service:
      name: hooksvc
      namespace: system
      path: /validate
---
apiVersion: v1
kind: Service
metadata:
  name: hooksvc
  namespace: system
spec:
  ports:
  - port: 443
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.example.com
spec:
  group: metrics.example.com
  version: v1beta1
  service:
    name: hooksvc
    namespace: system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: crb
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: reader
subjects:
- kind: ServiceAccount
  name: default
  namespace: other
- kind: ServiceAccount
  name: robot
  namespace: system
- kind: User
  name: jane
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules:
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [settings]
  verbs: [get]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: robot
  namespace: system
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: system
data:
  a: b
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  conversion:
    strategy: Webhook
    webhook:
      conversionReviewVersions: [v1]
      clientConfig:
        service:
          name: hooksvc
          namespace: system
  versions:
  - name: v1
    served: true
    storage: true
`,
      },
    );
    expect(out).toBe(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  conversion:
    strategy: Webhook
    webhook:
      clientConfig:
        service:
          name: hooksvc
          namespace: target
      conversionReviewVersions:
      - v1
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: robot-x
  namespace: target
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader-x
rules:
- apiGroups:
  - ""
  resourceNames:
  - settings-x
  resources:
  - configmaps
  verbs:
  - get
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: crb-x
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: reader-x
subjects:
- kind: ServiceAccount
  name: default
  namespace: target
- kind: ServiceAccount
  name: robot-x
  namespace: target
- kind: User
  name: jane
---
apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  name: settings-x
  namespace: target
---
apiVersion: v1
kind: Service
metadata:
  name: hooksvc-x
  namespace: target
spec:
  ports:
  - port: 443
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.example.com
spec:
  group: metrics.example.com
  service:
    name: hooksvc-x
    namespace: target
  version: v1beta1
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: hook-x
webhooks:
- admissionReviewVersions:
  - v1
  clientConfig:
    service:
      name: hooksvc-x
      namespace: target
      path: /validate
  name: check.example.com
  sideEffects: None
`);
  });

  it("configurations add references, selectors and image fields for a custom kind", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: p-
commonLabels:
  team: t
images:
- name: nginx
  newTag: "2.0"
configurations:
- cfg.yaml
resources:
- widget.yaml
configMapGenerator:
- name: settings
  literals: [a=b]
`,
      "cfg.yaml": `nameReference:
- kind: ConfigMap
  version: v1
  fieldSpecs:
  - path: spec/configName
    kind: Widget
commonLabels:
- path: spec/selector
  kind: Widget
  create: true
images:
- path: spec/image
  kind: Widget
`,
      "widget.yaml": `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  configName: settings
  selector:
    team: none
  image: nginx:1.0
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  labels:
    team: t
  name: p-settings-4h2mbtbbt6
---
apiVersion: example.com/v1
kind: Widget
metadata:
  labels:
    team: t
  name: p-w
spec:
  configName: p-settings-4h2mbtbbt6
  image: nginx:2.0
  selector:
    team: t
`);
  });

  it("images: new names, tags and digests on containers and init containers", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
- name: postgres
  newName: registry.example.com/pg
  newTag: "16"
- name: busybox
  digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
resources:
- work.yaml
`,
      "work.yaml": `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      priorityClassName: high
      initContainers:
      - name: init
        image: busybox
      containers:
      - name: db
        image: postgres:15
        env:
        - name: PW
          valueFrom:
            secretKeyRef: {name: db-secret, key: pw}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      storageClassName: fast
      accessModes: [ReadWriteOnce]
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  selector: {app: db}
  ports:
  - port: 5432
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: b
            image: postgres:15
            envFrom:
            - secretRef: {name: db-secret}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: db}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
spec:
  podSelector:
    matchLabels: {app: db}
  ingress:
  - from:
    - podSelector:
        matchLabels: {role: client}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: db
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: StatefulSet
    name: db
  minReplicas: 1
  maxReplicas: 3
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: db-secret
spec:
  tls:
  - secretName: db-secret
    hosts: [example.com]
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: db
            port: {number: 5432}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high
value: 1000
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: example.com/fast
`,
      },
    );
    expect(out).toBe(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: example.com/fast
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  ports:
  - port: 5432
  selector:
    app: db
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high
value: 1000
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  selector:
    matchLabels:
      app: db
  serviceName: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - env:
        - name: PW
          valueFrom:
            secretKeyRef:
              key: pw
              name: db-secret
        image: registry.example.com/pg:16
        name: db
      initContainers:
      - image: busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000
        name: init
      priorityClassName: high
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes:
      - ReadWriteOnce
      storageClassName: fast
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - envFrom:
            - secretRef:
                name: db-secret
            image: registry.example.com/pg:16
            name: b
          restartPolicy: OnFailure
  schedule: 0 * * * *
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: db
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: db
spec:
  maxReplicas: 3
  minReplicas: 1
  scaleTargetRef:
    apiVersion: apps/v1
    kind: StatefulSet
    name: db
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: db-secret
  name: web
spec:
  rules:
  - host: example.com
    http:
      paths:
      - backend:
          service:
            name: db
            port:
              number: 5432
        path: /
        pathType: Prefix
  tls:
  - hosts:
    - example.com
    secretName: db-secret
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
spec:
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: client
  podSelector:
    matchLabels:
      app: db
`);
  });

  it("components add resources, generators and patches to the overlay", () => {
    const out = buildTree(
      {
      "base/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- work.yaml
configMapGenerator:
- name: conf
  literals: [mode=base]
`,
      "base/work.yaml": `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      priorityClassName: high
      initContainers:
      - name: init
        image: busybox
      containers:
      - name: db
        image: postgres:15
        env:
        - name: PW
          valueFrom:
            secretKeyRef: {name: db-secret, key: pw}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      storageClassName: fast
      accessModes: [ReadWriteOnce]
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  selector: {app: db}
  ports:
  - port: 5432
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: b
            image: postgres:15
            envFrom:
            - secretRef: {name: db-secret}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: db}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
spec:
  podSelector:
    matchLabels: {app: db}
  ingress:
  - from:
    - podSelector:
        matchLabels: {role: client}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: db
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: StatefulSet
    name: db
  minReplicas: 1
  maxReplicas: 3
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: db-secret
spec:
  tls:
  - secretName: db-secret
    hosts: [example.com]
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: db
            port: {number: 5432}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high
value: 1000
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: example.com/fast
`,
      "comp/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
configMapGenerator:
- name: conf
  behavior: merge
  literals: [extra=comp]
patches:
- target:
    kind: StatefulSet
  patch: |-
    - op: add
      path: /spec/replicas
      value: 3
`,
      "overlay/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: o-
resources:
- ../base
components:
- ../comp
`,
      }, "overlay",
    );
    expect(out).toBe(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: o-fast
provisioner: example.com/fast
---
apiVersion: v1
data:
  extra: comp
  mode: base
kind: ConfigMap
metadata:
  name: o-conf-f9k6tt5c2d
---
apiVersion: v1
kind: Service
metadata:
  name: o-db
spec:
  ports:
  - port: 5432
  selector:
    app: db
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: o-high
value: 1000
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: o-db
spec:
  replicas: 3
  selector:
    matchLabels:
      app: db
  serviceName: o-db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - env:
        - name: PW
          valueFrom:
            secretKeyRef:
              key: pw
              name: db-secret
        image: postgres:15
        name: db
      initContainers:
      - image: busybox
        name: init
      priorityClassName: o-high
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes:
      - ReadWriteOnce
      storageClassName: o-fast
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: o-backup
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - envFrom:
            - secretRef:
                name: db-secret
            image: postgres:15
            name: b
          restartPolicy: OnFailure
  schedule: 0 * * * *
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: o-db
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: db
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: o-db
spec:
  maxReplicas: 3
  minReplicas: 1
  scaleTargetRef:
    apiVersion: apps/v1
    kind: StatefulSet
    name: o-db
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: db-secret
  name: o-web
spec:
  rules:
  - host: example.com
    http:
      paths:
      - backend:
          service:
            name: o-db
            port:
              number: 5432
        path: /
        pathType: Prefix
  tls:
  - hosts:
    - example.com
    secretName: db-secret
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: o-db
spec:
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: client
  podSelector:
    matchLabels:
      app: db
`);
  });

  it("one base used twice with different prefixes and namespaces", () => {
    const out = buildTree(
      {
      "base/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- svc.yaml
configMapGenerator:
- name: conf
  literals: [a=b]
`,
      "base/svc.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
`,
      "a/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: a-
namespace: na
resources:
- ../base
`,
      "b/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: b-
namespace: nb
resources:
- ../base
`,
      "all/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../a
- ../b
`,
      }, "all",
    );
    expect(out).toBe(`apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  name: a-conf-4h2mbtbbt6
  namespace: na
---
apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  name: b-conf-4h2mbtbbt6
  namespace: nb
---
apiVersion: v1
kind: Service
metadata:
  name: a-web
  namespace: na
spec:
  ports:
  - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: b-web
  namespace: nb
spec:
  ports:
  - port: 80
`);
  });

  it("multi-line, unicode and special values in generated data", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
configMapGenerator:
- name: text
  files:
  - script.sh
  - trailing.txt
  literals:
  - greeting=héllo wörld \u{2713}
  - 'json={"a": [1, 2]}'
  - empty=
  - yes=no
`,
      "script.sh": `#!/bin/sh
set -eu
echo "$HOME"

	indented with tab
`,
      "trailing.txt": `line with trailing space 
next
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  empty: ""
  greeting: héllo wörld \u{2713}
  json: '{"a": [1, 2]}'
  script.sh: "#!/bin/sh\\nset -eu\\necho \\"$HOME\\"\\n\\n\\tindented with tab\\n"
  trailing.txt: "line with trailing space \\nnext\\n"
  "yes": "no"
kind: ConfigMap
metadata:
  name: text-5cm8642hc8
`);
  });
});
