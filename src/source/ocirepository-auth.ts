/**
 * How an OCIRepository reaches its registry: credentials from `secretRef` and the image pull
 * secrets of `serviceAccountName` (Flux's keychain order), TLS material from `certSecretRef`
 * (`ca.crt` added to the system roots, `tls.crt` + `tls.key` for mutual TLS), `insecure`, and the
 * proxy of `proxySecretRef`. Failures are FetchFailed `AuthenticationFailed` with Flux's wording;
 * every credential joins the values scrubbed from messages.
 */
import { rootCertificates } from "node:tls";
import { ConditionType, Reason } from "../api/index.js";
import { GenericError, messageOf } from "../runtime/errors.js";
import { failOn } from "./artifact-steps.js";
import { proxyFor } from "./git-proxy.js";
import type { DispatcherOptions, HttpProxy } from "./http-dispatcher.js";
import { credentialSecrets, credentialsFor, type PullSecret } from "./oci/credentials.js";
import { parseOciUrl } from "./oci/reference.js";
import type { RegistryTarget } from "./oci/registry-client.js";
import type { OCIRepositoryDeps, RunState } from "./ocirepository-state.js";

const authFailure = (s: RunState, message: string, err?: unknown): never =>
  failOn(
    s,
    ConditionType.FetchFailed,
    new GenericError(Reason.AuthenticationFailed, message, { cause: err, secrets: s.secrets }),
    Reason.AuthenticationFailed,
  );

async function pullSecrets(deps: OCIRepositoryDeps, s: RunState): Promise<PullSecret[]> {
  const namespace = s.obj.metadata.namespace ?? "";
  const out: PullSecret[] = [];
  const ref = s.obj.spec.secretRef;
  if (ref !== undefined) {
    const data = await deps.client.getSecretData({ namespace, name: ref.name });
    if (data === undefined)
      throw new Error(`failed to get secret '${namespace}/${ref.name}': secrets "${ref.name}" not found`);
    out.push({ name: ref.name, data });
  }
  const sa = s.obj.spec.serviceAccountName;
  if (sa !== undefined && sa !== "") {
    const names = await deps.client.getImagePullSecretNames({ namespace, name: sa });
    if (names === undefined) throw new Error(`serviceaccounts "${sa}" not found`);
    for (const name of names) {
      const data = await deps.client.getSecretData({ namespace, name });
      if (data === undefined) throw new Error(`secrets "${name}" not found`);
      out.push({ name, data });
    }
  }
  return out;
}

async function tlsOptions(deps: OCIRepositoryDeps, s: RunState): Promise<DispatcherOptions> {
  const ref = s.obj.spec.certSecretRef;
  if (ref === undefined || ref.name === "") return s.obj.spec.insecure === true ? { skipVerify: true } : {};
  const namespace = s.obj.metadata.namespace ?? "";
  const data = await deps.client.getSecretData({ namespace, name: ref.name });
  if (data === undefined) throw new Error(`secrets "${ref.name}" not found`);
  const ca = data["ca.crt"];
  const cert = data["tls.crt"];
  const key = data["tls.key"];
  if ((cert === undefined) !== (key === undefined))
    throw new Error(`secret '${namespace}/${ref.name}' must hold both 'tls.crt' and 'tls.key', or neither`);
  if (key !== undefined) s.secrets.push(key);
  // Flux extends the system roots with ca.crt rather than replacing them.
  return {
    ...(ca === undefined ? {} : { ca: [...rootCertificates, ca].join("\n") }),
    ...(cert === undefined || key === undefined ? {} : { cert, key }),
  };
}

/** The proxy of `spec.proxySecretRef` (git-proxy.ts reads the Secret the same way for Git). */
async function proxySettings(deps: OCIRepositoryDeps, s: RunState): Promise<HttpProxy | undefined> {
  const ref = s.obj.spec.proxySecretRef;
  if (ref === undefined) return undefined;
  const namespace = s.obj.metadata.namespace ?? "";
  try {
    const data = await deps.client.getSecretData({ namespace, name: ref.name });
    const settings = proxyFor(data, `${namespace}/${ref.name}`);
    s.secrets.push(...settings.secrets);
    return settings.proxy;
  } catch (err) {
    return authFailure(s, `failed to get proxy address: ${messageOf(err)}`, err);
  }
}

/** The registry target of the run: where, with which credentials, TLS and proxy. */
export async function registryTarget(deps: OCIRepositoryDeps, s: RunState): Promise<RegistryTarget> {
  const spec = s.obj.spec;
  let name;
  try {
    name = parseOciUrl(spec.url, spec.insecure === true);
  } catch (err) {
    return failOn(s, ConditionType.FetchFailed, err, Reason.URLInvalid);
  }
  let credentials;
  try {
    credentials = credentialsFor(await pullSecrets(deps, s), name.registry);
  } catch (err) {
    return authFailure(s, `failed to get credential: ${messageOf(err)}`, err);
  }
  s.secrets.push(...credentialSecrets(credentials));
  const proxy = await proxySettings(deps, s);
  let tls: DispatcherOptions;
  try {
    tls = await tlsOptions(deps, s);
  } catch (err) {
    return authFailure(s, `failed to generate transport for '${spec.url}': ${messageOf(err)}`, err);
  }
  return {
    name,
    tls: proxy === undefined ? tls : { ...tls, proxy },
    signal: s.signal,
    ...(credentials === undefined ? {} : { credentials }),
  };
}
