import { describe, expect, it } from "vitest";
import { credentialSecrets, credentialsFor, registryKey } from "./credentials.js";
import { parseChallenge } from "./registry-auth.js";

const dockerconfig = (auths: Record<string, unknown>): Record<string, string> => ({
  ".dockerconfigjson": JSON.stringify({ auths }),
});

describe("secretRef and imagePullSecrets (kubernetes.io/dockerconfigjson)", () => {
  it("matches hosts, host:port, URLs and wildcards; an exact host beats a wildcard", () => {
    const secret = {
      name: "regcred",
      data: dockerconfig({
        "*.example.com": { username: "wild", password: "w" },
        "registry.example.com": { username: "exact", password: "e" },
        "https://index.docker.io/v1/": { auth: Buffer.from("hub:h").toString("base64") },
        "127.0.0.1:5000": { username: "local", password: "l" },
      }),
    };
    expect(credentialsFor([secret], "registry.example.com")).toEqual({ username: "exact", password: "e" });
    expect(credentialsFor([secret], "other.example.com")).toEqual({ username: "wild", password: "w" });
    expect(credentialsFor([secret], "a.b.example.com")).toBeUndefined();
    expect(credentialsFor([secret], "index.docker.io")).toEqual({ username: "hub", password: "h" });
    expect(credentialsFor([secret], "127.0.0.1:5000")).toEqual({ username: "local", password: "l" });
    expect(credentialsFor([secret], "127.0.0.1:5001")).toBeUndefined();
    expect(registryKey("docker.io")).toBe("index.docker.io");
  });

  it("the first Secret with an entry wins (secretRef before the service account's)", () => {
    const first = { name: "a", data: dockerconfig({ "ghcr.io": { username: "first", password: "1" } }) };
    const second = { name: "b", data: dockerconfig({ "ghcr.io": { username: "second", password: "2" } }) };
    expect(credentialsFor([first, second], "ghcr.io")?.username).toBe("first");
    expect(credentialsFor([], "ghcr.io")).toBeUndefined();
  });

  it("reads legacy .dockercfg and identity tokens; refuses a Secret of another type clearly", () => {
    const legacy = {
      name: "old",
      data: { ".dockercfg": JSON.stringify({ "ghcr.io": { username: "u", password: "p" } }) },
    };
    expect(credentialsFor([legacy], "ghcr.io")).toEqual({ username: "u", password: "p" });
    const token = { name: "t", data: dockerconfig({ "acr.io": { identitytoken: "refresh" } }) };
    expect(credentialsFor([token], "acr.io")).toEqual({ identityToken: "refresh" });
    const opaque = { name: "opaque", data: { username: "u" } };
    expect(() => credentialsFor([opaque], "ghcr.io")).toThrow(
      "secret 'opaque' has neither '.dockerconfigjson' nor '.dockercfg'",
    );
    const broken = { name: "broken", data: { ".dockerconfigjson": "{" } };
    expect(() => credentialsFor([broken], "ghcr.io")).toThrow("does not hold valid docker config JSON");
  });

  it("every credential value is scrubbed from messages", () => {
    const basic = Buffer.from("u:p4ss").toString("base64");
    expect(credentialSecrets({ username: "u", password: "p4ss" })).toEqual(["p4ss", basic]);
    expect(credentialSecrets({ identityToken: "tok" })).toEqual(["tok"]);
  });
});

describe("WWW-Authenticate challenges", () => {
  it("parses Bearer and Basic challenges", () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example.com/token",service="registry",scope="repository:a/b:pull"',
      ),
    ).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.example.com/token", service: "registry", scope: "repository:a/b:pull" },
    });
    expect(parseChallenge('Basic realm="mooring-test"')).toEqual({
      scheme: "basic",
      params: { realm: "mooring-test" },
    });
    expect(parseChallenge(undefined)).toBeUndefined();
  });
});
