import { describe, expect, it } from "vitest";
import { buildTree } from "../testing/tree.js";

/** Golden tests for configMapGenerator and secretGenerator (sources, options, behaviours, hash). Expected outputs come from `kubectl kustomize` (kustomize v5.5.0). */
describe("kustomize generators", () => {
  it("configMapGenerator from literals, env files and files, with the content hash suffix", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
configMapGenerator:
- name: app
  literals:
  - mode="fast"
  - count=3
  - flag=true
  envs:
  - app.env
  files:
  - config.ini
  - renamed.txt=notes.txt
`,
      "app.env": `# comment
LEVEL=debug

EMPTY=
`,
      "config.ini": `[main]
key = value
`,
      "notes.txt": `line one
line two  
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  EMPTY: ""
  LEVEL: debug
  config.ini: |
    [main]
    key = value
  count: "3"
  flag: "true"
  mode: fast
  renamed.txt: "line one\\nline two  \\n"
kind: ConfigMap
metadata:
  name: app-8cb988c2c9
`);
  });

  it("secretGenerator base64-encodes values and wraps long ones", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
secretGenerator:
- name: creds
  type: kubernetes.io/basic-auth
  literals:
  - username=admin
  - password=s3cr3t
  files:
  - long.txt
`,
      "long.txt": `a fairly long secret value that makes the base64 text wrap at seventy characters
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  long.txt: |
    YSBmYWlybHkgbG9uZyBzZWNyZXQgdmFsdWUgdGhhdCBtYWtlcyB0aGUgYmFzZTY0IHRleH
    Qgd3JhcCBhdCBzZXZlbnR5IGNoYXJhY3RlcnMK
  password: czNjcjN0
  username: YWRtaW4=
kind: Secret
metadata:
  name: creds-d5ktmb2kmh
type: kubernetes.io/basic-auth
`);
  });

  it("generatorOptions and per-generator options: labels, annotations, immutable, no hash", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
generatorOptions:
  labels:
    from: options
  annotations:
    note: shared
  disableNameSuffixHash: true
configMapGenerator:
- name: plain
  literals:
  - a=b
- name: hashed
  options:
    disableNameSuffixHash: false
    immutable: true
    labels:
      own: label
  literals:
  - c=d
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  c: d
immutable: true
kind: ConfigMap
metadata:
  annotations:
    note: shared
  labels:
    from: options
    own: label
  name: hashed
---
apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  annotations:
    note: shared
  labels:
    from: options
  name: plain
`);
  });

  it("behavior merge and replace act on the base's generated objects", () => {
    const out = buildTree(
      {
      "base/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
configMapGenerator:
- name: settings
  literals:
  - keep=1
  - change=old
- name: other
  literals:
  - gone=yes
`,
      "overlay/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: dev-
resources:
- ../base
configMapGenerator:
- name: settings
  behavior: merge
  literals:
  - change=new
  - added=2
- name: other
  behavior: replace
  literals:
  - fresh=yes
`,
      }, "overlay",
    );
    expect(out).toBe(`apiVersion: v1
data:
  fresh: "yes"
kind: ConfigMap
metadata:
  name: dev-other-f5462mcbkf
---
apiVersion: v1
data:
  added: "2"
  change: new
  keep: "1"
kind: ConfigMap
metadata:
  name: dev-settings-k6h7hfh58t
`);
  });

  it("generated names are fixed up in the workloads that use them", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- pod.yaml
configMapGenerator:
- name: settings
  namespace: apps
  literals:
  - a=b
secretGenerator:
- name: token
  namespace: apps
  literals:
  - t=x
`,
      "pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: apps
spec:
  containers:
  - name: c
    image: busybox
    env:
    - name: T
      valueFrom:
        secretKeyRef:
          name: token
          key: t
  volumes:
  - name: s
    configMap:
      name: settings
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  name: settings-4h2mbtbbt6
  namespace: apps
---
apiVersion: v1
data:
  t: eA==
kind: Secret
metadata:
  name: token-tmfbggk427
  namespace: apps
type: Opaque
---
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: apps
spec:
  containers:
  - env:
    - name: T
      valueFrom:
        secretKeyRef:
          key: t
          name: token-tmfbggk427
    image: busybox
    name: c
  volumes:
  - configMap:
      name: settings-4h2mbtbbt6
    name: s
`);
  });
});
