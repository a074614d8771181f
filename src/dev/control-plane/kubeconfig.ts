import { readFile, writeFile } from "node:fs/promises";
import type { Pki } from "./pki.js";

/** Writes a kubeconfig with embedded credentials for the admin user of a local control plane. */
export async function writeKubeconfig(path: string, server: string, pki: Pki): Promise<void> {
  const b64 = async (file: string): Promise<string> => (await readFile(file)).toString("base64");
  const text = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: mooring-local",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${await b64(pki.caCert)}`,
    "users:",
    "- name: mooring-admin",
    "  user:",
    `    client-certificate-data: ${await b64(pki.adminCert)}`,
    `    client-key-data: ${await b64(pki.adminKey)}`,
    "contexts:",
    "- name: mooring-local",
    "  context:",
    "    cluster: mooring-local",
    "    user: mooring-admin",
    "    namespace: default",
    "current-context: mooring-local",
    "",
  ].join("\n");
  await writeFile(path, text, { mode: 0o600 });
}
