/**
 * Issue 15: mooring's SOPS decryptor against ciphertext produced by the real `sops` CLI (built
 * from its Go module): age and OpenPGP keys; YAML, JSON, dotenv and binary files; the MAC checked
 * so a tampered file fails; errors never carry plaintext.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { decryptSops } from "../../src/sops/decrypt.js";
import { parsePgpKeys, type SopsKeys } from "../../src/sops/keys.js";
import { newAgeKey, newPgpKey, Sops, SOPS_BUILD_TIMEOUT_MS, type AgeKey, type PgpKey } from "../support/sops.js";

let sops: Sops;
let age: AgeKey;
let otherAge: AgeKey;
let pgp: PgpKey;
let ageKeys: SopsKeys;

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
type: Opaque
stringData:
  password: correct-horse-battery-staple
  port: 5432
  ratio: 0.25
  enabled: true
  empty: ""
`;

beforeAll(async () => {
  pgp = await newPgpKey();
  sops = await Sops.start([pgp]);
  age = await newAgeKey();
  otherAge = await newAgeKey();
  ageKeys = { age: [age.identity], pgp: [] };
}, SOPS_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await sops?.stop();
});

const expectNoPlaintext = async (p: Promise<unknown>, ...secrets: string[]): Promise<string> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(Error);
  for (const s of secrets) expect(err!.message).not.toContain(s);
  return err!.message;
};

describe("SOPS decryptor on real sops output (issue 15)", () => {
  it("decrypts a YAML Secret encrypted with encrypted_regex; returns the values for scrubbing", async () => {
    const enc = await sops.encrypt("secret.yaml", SECRET, ["--age", age.recipient, "--encrypted-regex", "^(data|stringData)$"]);
    expect(enc.toString()).not.toContain("correct-horse");
    const out = await decryptSops(enc, "yaml", ageKeys);
    expect(parse(out.plaintext.toString())).toEqual(parse(SECRET));
    expect(out.values).toContain("correct-horse-battery-staple");
    expect(out.values).toContain("5432");
  });

  it("decrypts a fully encrypted multi-document YAML file (ints, floats, bools, lists, nesting)", async () => {
    const docs = `a: 1\nb: [x, 2, 3.5, false]\nc:\n  d: deep\n  e_unencrypted: visible\n---\nsecond: doc\nn: 9007199254740993\n`;
    const enc = await sops.encrypt("multi.yaml", docs, ["--age", age.recipient]);
    expect(enc.toString()).toContain("e_unencrypted: visible");
    const out = await decryptSops(enc, "yaml", ageKeys);
    const got = parseAllDocuments(out.plaintext.toString(), { intAsBigInt: true }) as { toJS(): unknown }[];
    const want = parseAllDocuments(docs, { intAsBigInt: true }) as { toJS(): unknown }[];
    expect(got.map((d) => d.toJS())).toEqual(want.map((d) => d.toJS()));
  });

  it("decrypts JSON", async () => {
    const json = JSON.stringify({ kind: "Secret", apiVersion: "v1", metadata: { name: "j" }, data: { token: "dG9rZW4=" }, n: 7, f: 1.5 });
    const enc = await sops.encrypt("secret.json", json, ["--age", age.recipient]);
    const out = await decryptSops(enc, "json", ageKeys);
    expect(JSON.parse(out.plaintext.toString())).toEqual(JSON.parse(json));
  });

  it("decrypts dotenv with sops's line format: escaped newlines and comments kept", async () => {
    const env = "USER=admin\n# the database password\nPASSWORD=s3cr=t\nMULTI=line1\\nline2\n";
    const enc = await sops.encrypt("app.env", env, ["--age", age.recipient]);
    expect(enc.toString()).toContain("sops_mac=ENC[");
    const out = await decryptSops(enc, "dotenv", ageKeys);
    expect(out.plaintext.toString()).toBe(env);
    expect(out.values).toContain("s3cr=t");
    expect(out.values).toContain("line1\nline2");
  });

  it("decrypts a binary file byte for byte", async () => {
    const bytes = Buffer.concat([randomBytes(300), Buffer.from([0xff, 0xfe, 0x00, 0x80])]);
    const enc = await sops.encrypt("blob.bin", bytes, ["--age", age.recipient, "--input-type", "binary"]);
    const out = await decryptSops(enc, "binary", ageKeys);
    expect(out.plaintext.equals(bytes)).toBe(true);
  });

  it("decrypts with an OpenPGP key (gpg-encrypted by sops), and with age when both recipients are set", async () => {
    const enc = await sops.encrypt("pgp.yaml", SECRET, ["--pgp", pgp.fingerprint]);
    const pgpKeys: SopsKeys = { age: [], pgp: await parsePgpKeys(pgp.privateKey, "pgp.asc") };
    expect(parse((await decryptSops(enc, "yaml", pgpKeys)).plaintext.toString())).toEqual(parse(SECRET));
    const both = await sops.encrypt("both.yaml", SECRET, ["--pgp", pgp.fingerprint, "--age", age.recipient]);
    expect(parse((await decryptSops(both, "yaml", ageKeys)).plaintext.toString())).toEqual(parse(SECRET));
    expect(parse((await decryptSops(both, "yaml", pgpKeys)).plaintext.toString())).toEqual(parse(SECRET));
  });

  it("checks the MAC with mac_only_encrypted too", async () => {
    const enc = await sops.encrypt("maconly.yaml", SECRET, [], {
      age: age.recipient,
      encrypted_regex: "^stringData$",
      mac_only_encrypted: true,
    });
    expect(enc.toString()).toContain("mac_only_encrypted: true");
    const out = await decryptSops(enc, "yaml", ageKeys);
    expect(parse(out.plaintext.toString())).toEqual(parse(SECRET));
  });
});

describe("SOPS decryptor output matches `sops decrypt` byte for byte (issue 15)", () => {
  // The plaintext of a secretGenerator `files` input becomes Secret data and its hash suffix.
  const cases: Array<[string, string | Buffer, "yaml" | "json" | "dotenv" | "binary", string[]]> = [
    ["f.json", JSON.stringify({ a: 1, b: { c: [1, 2.5, "x<y>&z", true, null], e: {}, f: [] }, d: "e\u2028", big: 1e21, small: 1e-7 }), "json", []],
    [
      "f.yaml",
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  labels: {a: b}\nstringData:\n  config: |\n    line1\n    line2\n  quoted: \"yes\"\n  list:\n  - a\n  - b: c\n    d: e\n  empty: {}\n  s: 'it''s'\n  t: \"tab\\there\"\n  n: null\n  colon: \"a: b\"\n---\nsecond: 2\n",
      "yaml",
      [],
    ],
    ["f.env", "A=1\n# note\nB=x\\ny\n", "dotenv", []],
    ["f.bin", Buffer.concat([randomBytes(100), Buffer.from("\n\r\n")]), "binary", ["--input-type", "binary", "--output-type", "binary"]],
  ];
  it.each(cases)("%s", async (name, content, format, typeArgs) => {
    const enc = await sops.encrypt(name, content, ["--age", age.recipient, ...typeArgs]);
    const want = await sops.decrypt(`enc-${name}`, enc, age.identity, typeArgs);
    const got = (await decryptSops(enc, format, ageKeys)).plaintext;
    expect(got.toString("latin1")).toBe(want.toString("latin1"));
  });
});

describe("SOPS decryptor refuses what it must (issue 15)", () => {
  it("a tampered unencrypted value fails the MAC check", async () => {
    const enc = await sops.encrypt("t1.yaml", SECRET, ["--age", age.recipient, "--encrypted-regex", "^stringData$"]);
    const tampered = Buffer.from(enc.toString().replace("namespace: apps", "namespace: kube-system"));
    const msg = await expectNoPlaintext(decryptSops(tampered, "yaml", ageKeys), "correct-horse");
    expect(msg).toMatch(/failed to verify sops data integrity: MAC mismatch/);
  });

  it("a swapped or edited ciphertext fails AES-GCM authentication without revealing the value", async () => {
    const enc = (await sops.encrypt("t2.yaml", SECRET, ["--age", age.recipient, "--encrypted-regex", "^stringData$"])).toString();
    const values = [...enc.matchAll(/(password|port): (ENC\[[^\]]+\])/g)];
    const swapped = enc.replace(values[0]![2]!, "X").replace(values[1]![2]!, values[0]![2]!).replace("X", values[1]![2]!);
    const msg = await expectNoPlaintext(decryptSops(Buffer.from(swapped), "yaml", ageKeys), "correct-horse", "5432");
    expect(msg).toContain("'stringData:password'");
  });

  it("a removed key fails the MAC check", async () => {
    const enc = (await sops.encrypt("t3.env", "A=1\nB=2\n", ["--age", age.recipient])).toString();
    const dropped = enc.split("\n").filter((l) => !l.startsWith("B=")).join("\n");
    await expect(decryptSops(Buffer.from(dropped), "dotenv", ageKeys)).rejects.toThrow(/MAC mismatch/);
  });

  it("the wrong key names the file's recipients and no value", async () => {
    const enc = await sops.encrypt("t4.yaml", SECRET, ["--age", age.recipient]);
    const msg = await expectNoPlaintext(decryptSops(enc, "yaml", { age: [otherAge.identity], pgp: [] }), "correct-horse");
    expect(msg).toContain("cannot get sops data key");
    expect(msg).toContain(age.recipient);
    await expect(decryptSops(enc, "yaml", { age: [], pgp: [] })).rejects.toThrow(/cannot get sops data key/);
  });

  it("a file wrapped only for a key service mooring lacks fails and says so", async () => {
    const enc = (await sops.encrypt("t5.yaml", SECRET, ["--age", age.recipient])).toString();
    const vaultOnly = enc.replace(/^ {4}age:$/m, "    hc_vault:");
    await expect(decryptSops(Buffer.from(vaultOnly), "yaml", ageKeys)).rejects.toThrow(
      /encrypted only for HashiCorp Vault, which mooring does not support/,
    );
  });

  it("INI and comment-regex files are refused clearly", async () => {
    const ini = await sops.encrypt("c.ini", "[db]\npassword = x\n", ["--age", age.recipient]);
    await expect(decryptSops(ini, "ini", ageKeys)).rejects.toThrow(/INI files are not supported by mooring/);
    const commented = await sops.encrypt("c.yaml", "# sops:enc\na: 1\nb: 2\n", [], {
      age: age.recipient,
      encrypted_comment_regex: "sops:enc",
    });
    await expect(decryptSops(commented, "yaml", ageKeys)).rejects.toThrow(/encrypted_comment_regex are not supported by mooring/);
  });
});
