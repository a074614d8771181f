/**
 * Issue 15: a Kustomization's build with `spec.decryption` (sops): encrypted resource files,
 * secretGenerator `envs` and `files` (dotenv and binary), patches, Secret data holding a SOPS
 * file, the `decrypt: disabled` annotation, keys from the Secret and the global age Secret, and
 * the refusal of Secrets left encrypted. Ciphertext comes from the real sops CLI.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { Kustomization } from "../../src/api/index.js";
import type { KubeObject } from "../../src/apply/types.js";
import { buildManifests } from "../../src/kustomization/build-manifests.js";
import {
  type KeySources,
  loadDecryptionKeys,
  SopsDecryption,
  undecryptedSecretProblem,
} from "../../src/kustomization/decryption.js";
import { sanitizeMessage } from "../../src/runtime/sanitize.js";
import { newAgeKey, newPgpKey, Sops, SOPS_BUILD_TIMEOUT_MS, type AgeKey, type PgpKey } from "../support/sops.js";

let sops: Sops;
let age: AgeKey;
let pgp: PgpKey;
const roots: string[] = [];
const b64 = (s: string | Buffer): string => Buffer.from(s).toString("base64");

beforeAll(async () => {
  pgp = await newPgpKey();
  sops = await Sops.start([pgp]);
  age = await newAgeKey();
}, SOPS_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await sops?.stop();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

const ks = (decryption?: Kustomization["spec"]["decryption"]): Kustomization =>
  ({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "app", namespace: "apps" },
    spec: { interval: "1m", path: "./deploy", prune: true, sourceRef: { kind: "GitRepository", name: "repo" }, ...(decryption ? { decryption } : {}) },
  });

async function tree(files: Record<string, string | Buffer>): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), "sops-ks-"));
  roots.push(root);
  for (const [p, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, p)), { recursive: true });
    await writeFile(join(root, p), content);
  }
  return { root, dir: join(root, "deploy") };
}

const secretYaml = (name: string, data: Record<string, string>, annotations?: Record<string, string>): string =>
  stringify({ apiVersion: "v1", kind: "Secret", metadata: { name, ...(annotations ? { annotations } : {}) }, stringData: data });

const ageSecret = (identity: string): Record<string, string> => ({ "identity.agekey": b64(`# test key\n${identity}\n`) });

async function build(
  k: Kustomization,
  files: { root: string; dir: string },
  keys: KeySources,
  sink: string[] = [],
): Promise<KubeObject[]> {
  return buildManifests(files, {
    ks: k,
    readConfig: () => Promise.resolve(undefined),
    strictSubstitution: true,
    retryAfterMs: 1000,
    ...(k.spec.decryption ? { decryption: async () => new SopsDecryption(await loadDecryptionKeys(k, keys), sink) } : {}),
  });
}

const secretData = (objects: KubeObject[], prefix: string): Record<string, string> => {
  const s = objects.find((o) => o.kind === "Secret" && (o.metadata.name ?? "").startsWith(prefix));
  expect(s, `Secret ${prefix}*`).toBeDefined();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((s!.data ?? {}) as Record<string, string>)) out[k] = Buffer.from(v, "base64").toString("utf8");
  for (const [k, v] of Object.entries((s!.stringData ?? {}) as Record<string, string>)) out[k] = v;
  return out;
};

describe("Kustomization SOPS decryption (issue 15)", () => {
  it("decrypts resources, secretGenerator envs and binary files, and patches; collects the values", async () => {
    const blob = Buffer.concat([randomBytes(64), Buffer.from([0xff, 0x00])]);
    const files = await tree({
      "deploy/kustomization.yaml": stringify({
        resources: ["secret.yaml", "../base"],
        secretGenerator: [{ name: "gen", envs: ["app.env"], files: ["blob.bin", "config.json=cfg.enc.json"] }],
        patches: [{ path: "patch.yaml" }],
      }),
      "deploy/secret.yaml": await sops.encrypt("secret.yaml", secretYaml("db", { password: "pw-from-file", user: "u" }), ["--age", age.recipient, "--encrypted-regex", "^(data|stringData)$"]),
      "deploy/app.env": await sops.encrypt("app.env", "TOKEN=tok-from-env\nMODE=prod\n", ["--age", age.recipient]),
      "deploy/blob.bin": await sops.encrypt("blob.bin", blob, ["--age", age.recipient, "--input-type", "binary"]),
      "deploy/cfg.enc.json": await sops.encrypt("cfg.json", JSON.stringify({ apiKey: "key-from-json" }), ["--age", age.recipient]),
      "deploy/patch.yaml": await sops.encrypt("patch.yaml", secretYaml("db", { extra: "from-patch" }), ["--age", age.recipient, "--encrypted-regex", "^stringData$"]),
      "base/kustomization.yaml": stringify({ resources: ["pgp.yaml"] }),
      "base/pgp.yaml": await sops.encrypt("pgp.yaml", secretYaml("pgp", { pgpvalue: "from-pgp" }), ["--pgp", pgp.fingerprint, "--encrypted-regex", "^stringData$"]),
    });
    const sink: string[] = [];
    const keys: KeySources = {
      readSecret: (ns, name) => Promise.resolve(ns === "apps" && name === "sops-keys" ? { ...ageSecret(age.identity), "pgp.asc": b64(pgp.privateKey) } : undefined),
    };
    const objects = await build(ks({ provider: "sops", secretRef: { name: "sops-keys" } }), files, keys, sink);
    expect(secretData(objects, "db")).toEqual({ password: "pw-from-file", user: "u", extra: "from-patch" });
    const gen = objects.find((o) => (o.metadata.name ?? "").startsWith("gen-"))!;
    const data = gen.data as Record<string, string>;
    expect(Buffer.from(data.TOKEN!, "base64").toString()).toBe("tok-from-env");
    expect(Buffer.from(data.MODE!, "base64").toString()).toBe("prod");
    expect(Buffer.from(data["blob.bin"]!, "base64").equals(blob)).toBe(true);
    expect(JSON.parse(Buffer.from(data["config.json"]!, "base64").toString())).toEqual({ apiKey: "key-from-json" });
    expect(secretData(objects, "pgp")).toEqual({ pgpvalue: "from-pgp" });
    for (const v of ["pw-from-file", "tok-from-env", "key-from-json", "from-patch", "from-pgp"]) {
      expect(sink).toContain(v);
      // Issue 14: decrypted values are scrubbed from every message, e.g. an API server echoing one.
      expect(sanitizeMessage(`metadata.labels: Invalid value: "${v}"`)).not.toContain(v);
    }
    expect(undecryptedSecretProblem(objects)).toBeUndefined();
  });

  it("decrypts a SOPS file held in Secret data (Flux's Secret branch) in the format its key names", async () => {
    const inner = await sops.encrypt("inner.env", "A=inner-secret\n", ["--age", age.recipient]);
    const files = await tree({
      "deploy/kustomization.yaml": stringify({ resources: ["s.yaml"] }),
      "deploy/s.yaml": stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "holder" }, data: { "app.env": b64(inner) } }),
    });
    const objects = await build(ks({ provider: "sops", secretRef: { name: "k" } }), files, { readSecret: () => Promise.resolve(ageSecret(age.identity)) });
    expect(secretData(objects, "holder")).toEqual({ "app.env": "A=inner-secret\n" });
  });

  it("leaves a resource annotated decrypt: Disabled encrypted, and does not refuse it", async () => {
    const enc = await sops.encrypt("off.yaml", secretYaml("off", { v: "stays-encrypted" }, { "kustomize.toolkit.fluxcd.io/decrypt": "Disabled" }), ["--age", age.recipient, "--encrypted-regex", "^stringData$"]);
    const files = await tree({ "deploy/kustomization.yaml": stringify({ resources: ["off.yaml"] }), "deploy/off.yaml": enc });
    const objects = await build(ks({ provider: "sops", secretRef: { name: "k" } }), files, { readSecret: () => Promise.resolve(ageSecret(age.identity)) });
    expect(secretData(objects, "off").v).toMatch(/^ENC\[AES256_GCM,/);
    expect(undecryptedSecretProblem(objects)).toBeUndefined();
  });

  it("uses the global --sops-age-secret when secretRef is unset (its .agekey entries only)", async () => {
    const encrypted = await sops.encrypt("g.yaml", secretYaml("g", { v: "global-key" }), ["--age", age.recipient]);
    const fresh = () => tree({ "deploy/kustomization.yaml": stringify({ resources: ["s.yaml"] }), "deploy/s.yaml": encrypted });
    const reads: string[] = [];
    const keys: KeySources = {
      readSecret: (ns, name) => {
        reads.push(`${ns}/${name}`);
        return Promise.resolve(ns === "flux-system" && name === "global-age" ? ageSecret(age.identity) : undefined);
      },
      globalAgeSecret: { namespace: "flux-system", name: "global-age" },
    };
    const objects = await build(ks({ provider: "sops" }), await fresh(), keys);
    expect(secretData(objects, "g")).toEqual({ v: "global-key" });
    expect(reads).toEqual(["flux-system/global-age"]);
    await expect(build(ks({ provider: "sops" }), await fresh(), { readSecret: keys.readSecret })).rejects.toThrow(/cannot get sops data key/);
  });

  it("fails the build (BuildFailed) without the key, with a missing Secret, or on a tampered file; no plaintext in messages", async () => {
    const enc = await sops.encrypt("t.yaml", secretYaml("t", { v: "tamper-me" }), ["--age", age.recipient, "--encrypted-regex", "^stringData$"]);
    const files = await tree({ "deploy/kustomization.yaml": stringify({ resources: ["t.yaml"] }), "deploy/t.yaml": enc });
    const other = await newAgeKey();
    const fail = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error & { reason?: string });
    const noKey = await fail(build(ks({ provider: "sops", secretRef: { name: "k" } }), files, { readSecret: () => Promise.resolve(ageSecret(other.identity)) }));
    expect(noKey?.reason).toBe("BuildFailed");
    expect(noKey?.message).toMatch(/^error decrypting sources: failed to decrypt 'deploy\/t.yaml': cannot get sops data key/);
    const missing = await fail(build(ks({ provider: "sops", secretRef: { name: "k" } }), files, { readSecret: () => Promise.resolve(undefined) }));
    expect(missing?.message).toBe('secrets "k" not found');
    await writeFile(join(files.dir, "t.yaml"), enc.toString().replace("name: t", "name: t2"));
    const tampered = await fail(build(ks({ provider: "sops", secretRef: { name: "k" } }), files, { readSecret: () => Promise.resolve(ageSecret(age.identity)) }));
    expect(tampered?.message).toMatch(/MAC mismatch/);
    for (const e of [noKey, missing, tampered]) expect(e?.message).not.toContain("tamper-me");
    expect((await readFile(join(files.dir, "t.yaml"), "utf8")).includes("tamper-me")).toBe(false);
  });

  it("refuses bad key entries with the entry's name", async () => {
    const files = await tree({ "deploy/kustomization.yaml": stringify({ resources: [] }) });
    const bad = await build(ks({ provider: "sops", secretRef: { name: "k" } }), files, { readSecret: () => Promise.resolve({ "x.agekey": b64("not-a-key") }) }).catch((e: Error) => e);
    expect((bad as Error).message).toContain("failed to import 'x.agekey' data from sops decryption Secret 'apps/k'");
  });

  it("without spec.decryption nothing is decrypted and encrypted Secrets are refused with Flux's message", async () => {
    const files = await tree({
      "deploy/kustomization.yaml": stringify({ resources: ["s.yaml"], secretGenerator: [{ name: "env", envs: ["app.env"] }] }),
      "deploy/s.yaml": await sops.encrypt("n.yaml", secretYaml("enc", { v: "x" }), ["--age", age.recipient, "--encrypted-regex", "^stringData$"]),
      "deploy/app.env": await sops.encrypt("n.env", "K=v\n", ["--age", age.recipient]),
    });
    const objects = await build(ks(), files, { readSecret: () => Promise.resolve(undefined) });
    expect(undecryptedSecretProblem(objects.filter((o) => o.metadata.name === "enc"))).toBe(
      "Secret/enc is SOPS encrypted, configuring decryption is required for this secret to be reconciled",
    );
    const onlyGenerated = objects.filter((o) => o.metadata.name !== "enc");
    expect(undecryptedSecretProblem(onlyGenerated)).toMatch(/^Secret\/env-\w+ is SOPS encrypted/);
  });
});
