import { describe, expect, it } from "vitest";
import { parse, type YAMLMap } from "yaml";
import { IMAGE_SPECS } from "../builtin-fieldspecs.js";
import { render } from "../output.js";
import { Resource } from "../resource.js";
import { parseNodes } from "../patch/testing.js";
import { applyImages, splitImage, type ImageSpec } from "./images.js";

// Expected outputs come from `kubectl kustomize` (kustomize v5.5.0) on `resources: [target.yaml]`
// with the `images:` list of each case.
const cases: { name: string; resources: string; images: string; expected: string }[] = [
  {
    name: "tagSuffix is applied by both passes to pod templates, once to other containers lists",
    resources: `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - name: a
        image: nginx:1.0
      - name: d
      initContainers:
      - name: e
        image: nginx
---
apiVersion: example.com/v1
kind: Thing
metadata: {name: t}
spec:
  deep:
    containers:
    - image: nginx:2
    other:
      image: nginx:3
`,
    images: `- name: nginx
  tagSuffix: -x
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: nginx:1.0-x-x
        name: a
      - name: d
      initContainers:
      - image: nginx:-x-x
        name: e
---
apiVersion: example.com/v1
kind: Thing
metadata:
  name: t
spec:
  deep:
    containers:
    - image: nginx:2-x
    other:
      image: nginx:3
`,
  },
  {
    name: "newName keeps tag and digest; newTag drops the digest; digest drops the tag",
    resources: `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - name: c0
        image: a:1
      - name: c1
        image: b:2@sha256:old
      - name: c2
        image: c:3
      - name: c3
        image: d@sha256:x
      - name: c4
        image: e:1@sha256:y
`,
    images: `- name: a
  newName: registry.example.com:5000/team/a
- name: b
  newTag: "3"
- name: c
  digest: sha256:new
- name: d
  newName: dd
  newTag: v1
- name: e
  newTag: v2
  digest: sha256:z
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: registry.example.com:5000/team/a:1
        name: c0
      - image: b:3
        name: c1
      - image: c@sha256:new
        name: c2
      - image: dd:v1
        name: c3
      - image: e:v2@sha256:z
        name: c4
`,
  },
  {
    name: "names are regular expressions anchored at the start and the end of the name",
    resources: `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - name: c0
        image: nginx:1
      - name: c1
        image: my-nginx:1
      - name: c2
        image: nginx-extra:1
      - name: c3
        image: docker.io/library/nginx:1
`,
    images: `- name: nginx
  newTag: "2"
- name: .*/library/nginx
  newName: mirror/nginx
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: nginx:2
        name: c0
      - image: my-nginx:1
        name: c1
      - image: nginx-extra:1
        name: c2
      - image: mirror/nginx:1
        name: c3
`,
  },
  {
    name: "hosts with ports are not mistaken for tags",
    resources: `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - name: c0
        image: localhost:5000/app
      - name: c1
        image: localhost:5000/app:1.0
`,
    images: `- name: localhost:5000/app
  newTag: "9"
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - image: localhost:5000/app:9
        name: c0
      - image: localhost:5000/app:9
        name: c1
`,
  },
  {
    name: "CRDs are left alone",
    resources: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  containers:
  - image: nginx
`,
    images: `- name: nginx
  newTag: "2"
`,
    expected: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.example.com
spec:
  containers:
  - image: nginx
`,
  },
  {
    name: "images in pods, cronjobs and statefulsets",
    resources: `apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: a
            image: app:old
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    image: app
`,
    images: `- name: app
  newName: app2
  newTag: new
`,
    expected: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: cj
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - image: app2:new
            name: a
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - image: app2:new
    name: a
`,
  },
];

describe("applyImages", () => {
  for (const c of cases) {
    it(c.name, () => {
      const res = parseNodes(c.resources).map((n) => new Resource(n as YAMLMap));
      applyImages(res, parse(c.images) as ImageSpec[], IMAGE_SPECS);
      expect(render(res)).toBe(c.expected);
    });
  }

  it("reports an image name that is not a regular expression", () => {
    const res = parseNodes("kind: Pod\napiVersion: v1\nspec:\n  containers:\n  - image: x\n").map((n) => new Resource(n as YAMLMap));
    expect(() => applyImages(res, [{ name: "a(b", newTag: "1" }], IMAGE_SPECS)).toThrow(/images: name "a\(b"/);
  });

  it.each([
    ["nginx", "nginx", "", ""],
    ["nginx:1.0", "nginx", "1.0", ""],
    ["nginx@sha256:abc", "nginx", "", "sha256:abc"],
    ["host:5000/a/b:1@sha256:abc", "host:5000/a/b", "1", "sha256:abc"],
    ["host:5000/a", "host:5000/a", "", ""],
  ])("splits %s", (ref, name, tag, digest) => {
    expect(splitImage(ref)).toEqual({ name, tag, digest });
  });
});
