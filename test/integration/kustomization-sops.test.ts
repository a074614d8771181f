/**
 * Issue 15: SOPS decryption end to end on the real control plane. Ciphertext comes from the real
 * sops CLI; the Kustomization controller and the source controller run in-process against a real
 * git server. Decrypted Secrets land in the cluster in plaintext; without the key, or without
 * `spec.decryption`, the Kustomization fails with Flux's reason and nothing is applied; no
 * plaintext reaches conditions or events.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { GitRepo } from "../../src/dev/git-server/index.js";
import { kustomizationOptions } from "../../src/kustomization/options.js";
import { conditionOf, kubectlOk, randomSuffix, readObject, useTestNamespace } from "../support/kube.js";
import { KustomizationHarness } from "../support/kustomization-harness.js";
import { newAgeKey, Sops, SOPS_BUILD_TIMEOUT_MS, type AgeKey } from "../support/sops.js";

const ns = useTestNamespace("ks-sops");
const suffix = randomSuffix();
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
const PLAINTEXT = ["db-password-f00d", "api-token-c0ffee"];

let harness: KustomizationHarness;
let sops: Sops;
let age: AgeKey;
let other: AgeKey;
let repo: GitRepo;

const applyYaml = (obj: unknown): Promise<string> => kubectlOk(["apply", "-f", "-"], stringify(obj));

const ageKeySecret = (name: string, identity: string) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: ns() },
  stringData: { "identity.agekey": `${identity}\n` },
});

const createKs = (name: string, path: string, decryption?: Record<string, unknown>) =>
  harness.createKs(name, {
    path,
    targetNamespace: ns(),
    sourceRef: { kind: "GitRepository", name: "repo" },
    ...(decryption ? { decryption } : {}),
  });

const secretIn = async (name: string): Promise<Record<string, string> | undefined> => {
  const s = (await readObject({ apiVersion: "v1", kind: "Secret", name, namespace: ns() })) as
    { data?: Record<string, string> } | undefined;
  if (s === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
  );
};

/** Conditions and events of this namespace must never carry a decrypted value. */
async function expectNoPlaintextShown(name: string): Promise<void> {
  const ks = JSON.stringify(await readObject({ ...KS, name, namespace: ns() }));
  const events = await kubectlOk(["get", "events", "-n", ns(), "-o", "json"]);
  for (const value of PLAINTEXT) {
    expect(ks).not.toContain(value);
    expect(events).not.toContain(value);
  }
}

/** One app per directory: an encrypted Secret, an encrypted dotenv generator input, a ConfigMap. */
async function app(dir: string, recipient: string): Promise<Record<string, string | Buffer>> {
  const secret = stringify({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `db-${dir}` },
    stringData: { password: PLAINTEXT[0] },
  });
  return {
    [`${dir}/kustomization.yaml`]: stringify({
      resources: ["db.yaml", "plain.yaml"],
      secretGenerator: [{ name: `api-${dir}`, envs: ["api.env"], options: { disableNameSuffixHash: true } }],
    }),
    [`${dir}/db.yaml`]: await sops.encrypt(`${dir}-db.yaml`, secret, [
      "--age",
      recipient,
      "--encrypted-regex",
      "^(data|stringData)$",
    ]),
    [`${dir}/api.env`]: await sops.encrypt(`${dir}-api.env`, `TOKEN=${PLAINTEXT[1]}\n`, ["--age", recipient]),
    [`${dir}/plain.yaml`]: stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `plain-${dir}` },
      data: { k: "v" },
    }),
  };
}

beforeAll(async () => {
  sops = await Sops.start();
  age = await newAgeKey();
  other = await newAgeKey();
  harness = await KustomizationHarness.start(ns, {
    artifact: { ...kustomizationOptions().artifact, retryMinWaitMs: 100 },
    sopsAgeSecret: { namespace: ns(), name: "global-age" },
  });
  repo = await harness.git.createRepo(`sops-${suffix}`);
  await repo.commit({
    files: {
      ...(await app("good", age.recipient)),
      ...(await app("other", other.recipient)),
      ...(await app("global", age.recipient)),
      ...(await app("undecrypted", age.recipient)),
    },
    message: "encrypted apps",
  });
  await harness.createSource(repo, "repo");
}, SOPS_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await harness?.stop();
  await sops?.stop();
});

describe("Kustomization SOPS decryption on the control plane (issue 15)", () => {
  it("decrypts an age-encrypted Secret and an encrypted dotenv generator input: Ready, plaintext in the cluster", async () => {
    await applyYaml(ageKeySecret("sops-age", age.identity));
    await createKs("good", "./good", { provider: "sops", secretRef: { name: "sops-age" } });
    const ks = await harness.condition("good", "Ready", "True");
    expect(conditionOf(ks, "Ready")?.reason).toBe("ReconciliationSucceeded");
    expect(await secretIn("db-good")).toEqual({ password: PLAINTEXT[0] });
    expect(await secretIn("api-good")).toEqual({ TOKEN: PLAINTEXT[1] });
    await expectNoPlaintextShown("good");
  });

  it("uses the global --sops-age-secret when spec.decryption has no secretRef", async () => {
    await applyYaml({ ...ageKeySecret("global-age", age.identity) });
    await createKs("global", "./global", { provider: "sops" });
    await harness.condition("global", "Ready", "True");
    expect(await secretIn("db-global")).toEqual({ password: PLAINTEXT[0] });
    expect(await secretIn("api-global")).toEqual({ TOKEN: PLAINTEXT[1] });
    await expectNoPlaintextShown("global");
  });

  it("without the right key: Ready=False BuildFailed naming the recipients, nothing applied", async () => {
    await createKs("other", "./other", { provider: "sops", secretRef: { name: "sops-age" } });
    const ks = await harness.condition("other", "Ready", "False", "BuildFailed");
    const message = conditionOf(ks, "Ready")?.message ?? "";
    expect(message).toMatch(
      /^error decrypting sources: failed to decrypt 'other\/(db\.yaml|api\.env)': cannot get sops data key/,
    );
    expect(message).toContain(other.recipient);
    expect(
      await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "plain-other", namespace: ns() }),
    ).toBeUndefined();
    expect(await secretIn("db-other")).toBeUndefined();
    expect((ks as { status?: { inventory?: unknown } }).status?.inventory).toBeUndefined();
    await expectNoPlaintextShown("other");
  });

  it("without spec.decryption: Ready=False ReconciliationFailed with Flux's message, nothing applied", async () => {
    await createKs("undecrypted", "./undecrypted");
    const ks = await harness.condition("undecrypted", "Ready", "False", "ReconciliationFailed");
    expect(conditionOf(ks, "Ready")?.message).toMatch(
      new RegExp(
        `^Secret/${ns()}/(api|db)-undecrypted is SOPS encrypted, configuring decryption is required for this secret to be reconciled$`,
      ),
    );
    expect(
      await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "plain-undecrypted", namespace: ns() }),
    ).toBeUndefined();
    expect(await secretIn("db-undecrypted")).toBeUndefined();
    expect(await secretIn("api-undecrypted")).toBeUndefined();
  });
});
