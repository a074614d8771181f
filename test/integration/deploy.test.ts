import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { build, render } from "../../src/kustomize/index.js";
import { kubectl } from "../support/kube.js";

const deployDir = resolve(import.meta.dirname, "../../deploy");

describe("deploy/", () => {
  it("renders identically with mooring's engine and kubectl kustomize", async () => {
    const oracle = execFileSync("kubectl", ["kustomize", deployDir], { encoding: "utf8" });
    const ours = render(await build(deployDir));
    expect(ours).toBe(oracle);
  });

  it("passes a server-side dry-run against the real API server", async () => {
    const rendered = execFileSync("kubectl", ["kustomize", deployDir], { encoding: "utf8" });
    const kinds = parseAllDocuments(rendered).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "Namespace",
        "CustomResourceDefinition",
        "Deployment",
        "Service",
        "ClusterRole",
      ]),
    );
    // The namespace must exist for namespaced objects to dry-run; CRDs and the namespace first,
    // then everything, as the controller's staged apply does. The test setup installed the CRDs
    // already (another field manager), so take ownership as `mooring install` does.
    const first = await kubectl(
      ["apply", "--server-side", "--force-conflicts", "--field-manager=deploy-test", "-f", "-"],
      stage(rendered, ["Namespace", "CustomResourceDefinition"]),
    );
    expect(first.stderr).toBe("");
    const result = await kubectl(
      [
        "apply",
        "--server-side",
        "--force-conflicts",
        "--dry-run=server",
        "--field-manager=deploy-test",
        "-f",
        "-",
      ],
      rendered,
    );
    expect(result.stderr.replace(/^Warning: .*\n/gm, "")).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("deployment.apps/mooring serverside-applied (server dry run)");
  });
});

/** Only the documents of the given kinds, as a YAML stream. */
function stage(stream: string, kinds: string[]): string {
  return parseAllDocuments(stream)
    .filter((d) => kinds.includes((d.toJS() as { kind: string }).kind))
    .map((d) => d.toString())
    .join("---\n");
}
