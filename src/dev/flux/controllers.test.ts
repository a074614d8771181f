import { describe, expect, it } from "vitest";
import { localReplaces, requiredVersion, withSubstitutes } from "./controllers.js";

const GO_MOD = `module github.com/fluxcd/source-controller

go 1.24.0

replace github.com/fluxcd/source-controller/api => ./api

replace (
	github.com/opencontainers/go-digest => github.com/opencontainers/go-digest v1.0.1
	example.com/local => ../local
)

require (
	github.com/fluxcd/source-controller/api v1.9.0
	github.com/fluxcd/pkg/artifact v0.18.3
)
`;

describe("flux controller go.mod reading", () => {
  it("finds replaces that point into the repository, single and in blocks, and skips versioned ones", () => {
    expect(localReplaces(GO_MOD)).toEqual([
      { module: "github.com/fluxcd/source-controller/api", path: "./api" },
      { module: "example.com/local", path: "../local" },
    ]);
  });

  it("reads the required version of a module", () => {
    expect(requiredVersion(GO_MOD, "github.com/fluxcd/source-controller/api")).toBe("v1.9.0");
    expect(requiredVersion(GO_MOD, "github.com/fluxcd/pkg/artifact")).toBe("v0.18.3");
    expect(requiredVersion(GO_MOD, "github.com/absent/module")).toBeUndefined();
  });
});

describe("module substitutes", () => {
  it("appends one replace per substitute, keeping the module's own go.mod intact", () => {
    const out = withSubstitutes(GO_MOD, [
      { module: "example.com/m", version: "v1.0.1", because: "v1.0.2 refused" },
    ]);
    expect(out.startsWith(GO_MOD.trimEnd())).toBe(true);
    expect(out.endsWith("\n\nreplace example.com/m => example.com/m v1.0.1 // v1.0.2 refused\n")).toBe(true);
  });
});
