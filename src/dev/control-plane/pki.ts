import { generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ControlPlaneUnavailableError } from "./errors.js";
import { run, tail } from "../go-build/exec.js";

/** Paths of the credentials one control plane instance uses. */
export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/**
 * Generates a fresh CA, a serving certificate for 127.0.0.1/localhost, an admin client
 * certificate in `system:masters`, and the service-account signing key pair, all in `dir`.
 * Certificates come from the openssl CLI; keys from node:crypto.
 */
export async function generatePki(dir: string): Promise<Pki> {
  const pki: Pki = {
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    servingCert: join(dir, "apiserver.crt"),
    servingKey: join(dir, "apiserver.key"),
    adminCert: join(dir, "admin.crt"),
    adminKey: join(dir, "admin.key"),
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
  };
  await writeKeyPair(pki.caKey);
  await writeKeyPair(pki.servingKey);
  await writeKeyPair(pki.adminKey);
  await writeKeyPair(pki.serviceAccountKey, pki.serviceAccountPub);
  await openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    pki.caKey,
    "-sha256",
    "-days",
    "3650",
    "-subj",
    "/CN=mooring-local-ca",
    "-out",
    pki.caCert,
  ]);
  await signCert(dir, pki, {
    key: pki.servingKey,
    out: pki.servingCert,
    subject: "/CN=kube-apiserver",
    serving: true,
  });
  await signCert(dir, pki, {
    key: pki.adminKey,
    out: pki.adminCert,
    subject: "/O=system:masters/CN=mooring-admin",
    serving: false,
  });
  return pki;
}

async function writeKeyPair(keyPath: string, pubPath?: string): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  await writeFile(keyPath, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  if (pubPath) await writeFile(pubPath, publicKey.export({ type: "spki", format: "pem" }));
}

interface CertRequest {
  key: string;
  out: string;
  subject: string;
  serving: boolean;
}

async function signCert(dir: string, pki: Pki, req: CertRequest): Promise<void> {
  const csr = `${req.out}.csr`;
  const ext = join(dir, `${req.serving ? "serving" : "client"}.ext`);
  const extText = req.serving
    ? "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.96.0.1\n"
    : "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n";
  await writeFile(ext, extText);
  await openssl(["req", "-new", "-key", req.key, "-subj", req.subject, "-out", csr]);
  await openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    pki.caCert,
    "-CAkey",
    pki.caKey,
    "-CAcreateserial",
    "-days",
    "3650",
    "-sha256",
    "-extfile",
    ext,
    "-out",
    req.out,
  ]);
}

async function openssl(args: string[]): Promise<void> {
  const result = await run("openssl", args);
  if (result.code === 127) {
    throw new ControlPlaneUnavailableError(
      "cannot start the local control plane: the openssl CLI is not installed (apt-get install openssl)",
    );
  }
  if (result.code !== 0) throw new Error(`openssl ${args[0]} failed: ${tail(result.stderr, 2)}`);
}
