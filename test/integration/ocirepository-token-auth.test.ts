/**
 * Issue 16, item 1, Docker token auth: the registry most users pull from (Docker Hub, ghcr.io,
 * Harbor, ECR's public gallery) answers 401 with a `Bearer realm=…` challenge and clients fetch a
 * JWT from a token service. Here: CNCF distribution with `auth.token` on 127.0.0.1 and a token
 * service of the test's own (src/dev/oci-registry/token-server.ts) that signs RS256 JWTs the
 * registry verifies. Anonymous pulls of a public repository, Basic credentials exchanged for a
 * token, the token reused so an unchanged digest costs one registry request and no token request,
 * and refused credentials failing with the token service's answer and no secret in status.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistry, type Registry } from "../../src/dev/oci-registry/registry.js";
import { startTokenServer, type TokenServer } from "../../src/dev/oci-registry/token-server.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";
import {
  conditionOf,
  randomSuffix,
  testKubeConfig,
  useTestNamespace,
  waitForCondition,
} from "../support/kube.js";
import { pushFiles, registryBinaries } from "../support/oci.js";
import { type OciRepo, ociRepositories, registryLogged } from "../support/oci-repository.js";

const ns = useTestNamespace("ocirepo-token");
const shard = randomSuffix();
const LABEL = "mooring.test/shard";
const USER = "reader";
const PASSWORD = `t0ken-pw-${randomSuffix(6)}`;
const WRONG = `wr0ng-${randomSuffix(6)}`;
const repos = ociRepositories(ns, { [LABEL]: shard }, { ref: { tag: "v1" } });
let tokens: TokenServer;
let registry: Registry;
let source: SourceHarness;
const digests: Record<string, string> = {};

const CM = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: token\n`;

beforeAll(async () => {
  tokens = await startTokenServer({ users: { [USER]: PASSWORD }, publicRepositories: ["public/app"] });
  registry = await startRegistry(await registryBinaries(), { token: tokens.auth });
  source = await startSourceController(testKubeConfig(), { labelSelector: `${LABEL}=${shard}` });
  for (const repository of ["public/app", "private/app"]) {
    const bearer = tokens.mint(repository, ["pull", "push"]);
    digests[repository] = await pushFiles({ host: registry.host, repository, bearer }, "v1", {
      "cm.yaml": CM,
    });
  }
  await repos.dockerSecret("good", registry.host, USER, PASSWORD);
  await repos.dockerSecret("bad", registry.host, USER, WRONG);
});

afterAll(async () => {
  await source?.stop();
  await registry?.stop();
  await tokens?.stop();
});

describe("OCIRepository against a registry with Docker token auth (issue 16)", () => {
  it("pulls a public repository anonymously through the token service", async () => {
    await repos.apply("public", { url: `oci://${registry.host}/public/app` });
    await repos.ready("public", `v1@${digests["public/app"]}`);
    expect(tokens.requests()).toContainEqual({
      user: "",
      scopes: ["repository:public/app:pull"],
      status: 200,
    });
  });

  it("exchanges secretRef credentials for a token, and reuses it: a no-op poll is one registry request", async () => {
    await repos.apply("private", { url: `oci://${registry.host}/private/app`, secretRef: { name: "good" } });
    await repos.ready("private", `v1@${digests["private/app"]}`);
    expect(tokens.requests()).toContainEqual({
      user: USER,
      scopes: ["repository:private/app:pull"],
      status: 200,
    });
    let registrySeen = registry.requests().length;
    await repos.requestReconcile("private");
    await registryLogged(registry, registrySeen, "/v2/private/app/");
    registrySeen = registry.requests().length;
    const tokensSeen = tokens.requests().length;
    await repos.requestReconcile("private");
    const lines = await registryLogged(registry, registrySeen, "/v2/private/app/");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"HEAD /v2/private/app/manifests/v1 HTTP/1.1" 200');
    expect(tokens.requests().slice(tokensSeen)).toEqual([]);
  });

  it("refused credentials and missing credentials fail with the answer, and no secret in status", async () => {
    await repos.apply("bad", { url: `oci://${registry.host}/private/app`, secretRef: { name: "bad" } });
    await repos.apply("anonymous", { url: `oci://${registry.host}/private/app` });
    const expected: Record<string, string> = {
      bad: `failed to determine artifact digest: token request to ${tokens.auth.realm} failed with status 401: the registry refused the credentials`,
      anonymous: `failed to determine artifact digest: GET http://${registry.host}/v2/private/app/manifests/v1: UNAUTHORIZED: authentication required`,
    };
    for (const name of ["bad", "anonymous"]) {
      const obj = await waitForCondition<OciRepo>(repos.ref(name), "FetchFailed", "True");
      const failed = conditionOf(obj, "FetchFailed")!;
      expect(failed.reason).toBe("OCIArtifactPullFailed");
      expect(conditionOf(obj, "Ready")).toMatchObject({ status: "False", reason: failed.reason });
      for (const secret of [PASSWORD, WRONG]) expect(JSON.stringify(obj.status)).not.toContain(secret);
      expect(failed.message).toBe(expected[name]);
    }
    const scopes = ["repository:private/app:pull"];
    expect(tokens.requests()).toContainEqual({ user: "(refused)", scopes, status: 401 });
    // Anonymous: a token is issued, granting nothing; the registry then refuses the pull.
    expect(tokens.requests()).toContainEqual({ user: "", scopes, status: 200 });
  });
});
