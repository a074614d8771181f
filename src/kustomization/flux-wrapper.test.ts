import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { mergeImages, withScratchCopy, wrapKustomization } from "./flux-wrapper.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Writes an inline tree into a fresh temp dir. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "wrapper-test-"));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  return root;
}

const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe("generated kustomization (flux-compat §4.7)", () => {
  it("lists YAML files recursively in lexical order and stops at nested kustomizations", async () => {
    const root = await tree({
      "app/b.yaml": cm("b"),
      "app/a.yml": cm("a"),
      "app/notes.txt": "not yaml",
      "app/deep/c.yaml": cm("c"),
      "app/deep/empty.yaml": "",
      "app/base/kustomization.yaml": "resources: [x.yaml]\n",
      "app/base/x.yaml": cm("x"),
      "app/base/ignored-not-yaml.yaml": "::: not read :::",
    });
    const res = await wrapKustomization(root, path.join(root, "app"), {});
    expect(res.generated).toBe(true);
    expect(await readFile(res.file, "utf8")).toBe(
      [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        "  - ./a.yml",
        "  - ./b.yaml",
        "  - ./base",
        "  - ./deep/c.yaml",
        "  - ./deep/empty.yaml",
        "",
      ].join("\n"),
    );
  });

  it("gives an empty directory the _placeholder namespace, overridden by targetNamespace", async () => {
    const root = await tree({ "empty/README.md": "nothing here" });
    const res = await wrapKustomization(root, path.join(root, "empty"), {});
    expect(await readFile(res.file, "utf8")).toContain("namespace: _placeholder\n");
    const root2 = await tree({ "empty/README.md": "nothing here" });
    const res2 = await wrapKustomization(root2, path.join(root2, "empty"), { targetNamespace: "apps" });
    expect(await readFile(res2.file, "utf8")).toContain("namespace: apps\n");
  });

  it("fails naming the file when a YAML file is broken", async () => {
    const root = await tree({ "deploy/ok.yaml": cm("ok"), "deploy/sub/bad.yaml": "kind: [unclosed\n" });
    await expect(wrapKustomization(root, path.join(root, "deploy"), {})).rejects.toThrow(
      /failed to decode Kubernetes YAML from deploy\/sub\/bad\.yaml/,
    );
  });

  it("fails naming the file when a YAML file is not a Kubernetes object", async () => {
    const root = await tree({ "ci.yaml": "on: push\njobs: {}\n" });
    await expect(wrapKustomization(root, root, {})).rejects.toThrow(
      /failed to decode Kubernetes YAML from ci\.yaml: missing Resource metadata/,
    );
  });

  it("refuses a symlinked YAML file that points outside the root", async () => {
    const outside = await tree({ "secret.yaml": cm("outside") });
    const root = await tree({ "a.yaml": cm("a") });
    await symlink(path.join(outside, "secret.yaml"), path.join(root, "link.yaml"));
    await expect(wrapKustomization(root, root, {})).rejects.toThrow(/security; file 'link\.yaml'/);
  });
});

describe("spec merged into an existing kustomization", () => {
  it("sets namespace and name affixes, appends patches, components and buildMetadata, merges images", async () => {
    const root = await tree({
      "kustomization.yaml": [
        "# kept comment",
        "resources:",
        "  - app.yaml",
        "namespace: old",
        "images:",
        "  - name: nginx",
        "    newName: registry/nginx",
        "    newTag: '1.0'",
        "  - name: redis",
        "    digest: sha256:aaa",
        "patches:",
        "  - path: p.yaml",
        "",
      ].join("\n"),
      "app.yaml": cm("app"),
      "comp/kustomization.yaml": "kind: Component\n",
    });
    const res = await wrapKustomization(root, root, {
      targetNamespace: "prod",
      namePrefix: "pre-",
      nameSuffix: "-suf",
      patches: [
        {
          patch: "- op: remove\n  path: /x\n",
          target: { kind: "Deployment", name: "", labelSelector: "a=b" },
        },
      ],
      images: [
        { name: "nginx", newTag: "2.0" },
        { name: "redis", newName: "mirror/redis" },
        { name: "busybox", digest: "sha256:bbb" },
      ],
      components: ["./comp", "./missing"],
      ignoreMissingComponents: true,
      buildMetadata: ["originAnnotations"],
    });
    expect(res.generated).toBe(false);
    expect(await readFile(res.file, "utf8")).toBe(
      [
        "# kept comment",
        "resources:",
        "  - app.yaml",
        "namespace: prod",
        "images:",
        "  - name: nginx",
        "    newName: registry/nginx",
        '    newTag: "2.0"',
        "  - name: redis",
        "    digest: sha256:aaa",
        "    newName: mirror/redis",
        "  - name: busybox",
        "    digest: sha256:bbb",
        "patches:",
        "  - path: p.yaml",
        "  - patch: |",
        "      - op: remove",
        "        path: /x",
        "    target:",
        "      kind: Deployment",
        "      labelSelector: a=b",
        "namePrefix: pre-",
        "nameSuffix: -suf",
        "components:",
        "  - ./comp",
        "buildMetadata:",
        "  - originAnnotations",
        "",
      ].join("\n"),
    );
  });

  it("refuses non-local components", async () => {
    const root = await tree({ "kustomization.yml": "resources: []\n" });
    for (const c of ["https://github.com/x/y", "/etc", "github.com/x/y", "git::https://x"]) {
      await expect(wrapKustomization(root, root, { components: [c] })).rejects.toThrow(
        `component path '${c}' is not local`,
      );
    }
  });

  it("keeps a missing component when ignoreMissingComponents is off (the build reports it)", async () => {
    const root = await tree({ Kustomization: "resources: []\n" });
    const res = await wrapKustomization(root, root, { components: ["./nope"] });
    expect(path.basename(res.file)).toBe("Kustomization");
    expect(await readFile(res.file, "utf8")).toContain("components:\n  - ./nope\n");
  });
});

describe("mergeImages (Flux's rule)", () => {
  it.each([
    ["newTag replaces tag and digest", { name: "a", newTag: "2" }, { name: "a", newTag: "2" }],
    ["digest replaces tag and digest", { name: "a", digest: "sha256:9" }, { name: "a", digest: "sha256:9" }],
    [
      "newName alone keeps tag and digest",
      { name: "a", newName: "b" },
      { name: "a", newName: "b", newTag: "1", digest: "sha256:1" },
    ],
  ])("%s", (_what, spec, want) => {
    expect(mergeImages([{ name: "a", newTag: "1", digest: "sha256:1" }], [spec])).toEqual([want]);
  });

  it("appends images not listed yet", () => {
    expect(mergeImages([], [{ name: "x", newName: "y", newTag: "" }])).toEqual([{ name: "x", newName: "y" }]);
  });
});

describe("withScratchCopy", () => {
  it("never writes into the source directory", async () => {
    const root = await tree({ "a.yaml": cm("a") });
    const text = await withScratchCopy(root, async (copy) => {
      const res = await wrapKustomization(copy, copy, { targetNamespace: "x" });
      return readFile(res.file, "utf8");
    });
    expect(text).toContain("namespace: x");
    expect(await readdir(root)).toEqual(["a.yaml"]);
  });
});

describe("patch targets (issue 15)", () => {
  it("copies every selector field of spec.patches[].target that is set, in Flux's order", async () => {
    const root = await tree({ "app.yaml": cm("app") });
    const res = await wrapKustomization(root, root, {
      patches: [
        {
          patch: "- op: remove\n  path: /x\n",
          target: {
            group: "apps",
            version: "v1",
            kind: "Deployment",
            name: "web",
            namespace: "prod",
            annotationSelector: "team=a",
            labelSelector: "tier=web",
          },
        },
      ],
    });
    const text = await readFile(res.file, "utf8");
    expect(text).toContain(
      [
        "    target:",
        "      group: apps",
        "      version: v1",
        "      kind: Deployment",
        "      name: web",
        "      namespace: prod",
        "      labelSelector: tier=web",
        "      annotationSelector: team=a",
      ].join("\n"),
    );
  });
});
