import { afterEach, describe, expect, it } from "vitest";
import { sanitizeMessage } from "./sanitize.js";
import { forgetSecretValues, registerSecretValues, SecretValues, secretValues } from "./secret-values.js";

describe("secret value registry (issue 14)", () => {
  afterEach(() => forgetSecretValues("Kustomization/ns/app"));

  it("scrubs registered values from every sanitised message, in every form they take", () => {
    registerSecretValues("Kustomization/ns/app", "substituteFrom", ["s3cr3t-v@lue", 'q"uote']);
    const echoed = 'metadata.labels: Invalid value: "s3cr3t-v@lue"; url ?x=s3cr3t-v%40lue; json q\\"uote';
    expect(sanitizeMessage(echoed)).toBe('metadata.labels: Invalid value: "*****"; url ?x=*****; json *****');
    expect(sanitizeMessage(Buffer.from("s3cr3t-v@lue").toString("base64"))).toBe("*****");
  });

  it("replaces a source's values on the next registration and forgets a deleted owner", () => {
    registerSecretValues("Kustomization/ns/app", "substituteFrom", ["old-value"]);
    registerSecretValues("Kustomization/ns/app", "substituteFrom", ["new-value"]);
    registerSecretValues("Kustomization/ns/app", "sops", ["sops-value"]);
    expect(sanitizeMessage("old-value new-value sops-value")).toBe("old-value ***** *****");
    forgetSecretValues("Kustomization/ns/app");
    expect(sanitizeMessage("new-value sops-value")).toBe("new-value sops-value");
  });

  it("replaces a value containing another whole, and leaves values too short to scrub", () => {
    const values = new SecretValues();
    values.set("o", "s", ["abcd", "abcdefgh", "xy"]);
    expect(values.scrub("abcdefgh abcd xy", "#")).toBe("# # xy");
    values.add("o", "s", ["zzzz"]);
    expect(values.scrub("zzzz abcd", "#")).toBe("# #");
    expect(secretValues.scrub("abcdefgh", "#")).toBe("abcdefgh");
  });
});
