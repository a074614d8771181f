/**
 * The CLI's credentials: chosen and checked by mooring's one kubeconfig loader (as the controller's
 * are), then handed to client-node, whose generated API clients the CLI commands still use.
 */
import { KubeConfig, type User } from "@kubernetes/client-node";
import { defaultKubeConfig, type KubeCredentials, loadKubeConfigFiles } from "../runtime/kubeconfig/index.js";
import type { Material } from "../runtime/kubeconfig/credentials.js";
import type { GlobalOptions } from "./context.js";

/**
 * Loads credentials the way kubectl does for a user on their machine: `--kubeconfig`, else
 * KUBECONFIG, else ~/.kube/config, else in-cluster. `--context` picks a context.
 */
export function loadKubeConfig(
  options: Pick<GlobalOptions, "kubeconfig" | "context">,
  env: NodeJS.ProcessEnv,
): KubeConfig {
  const opts = options.context ? { context: options.context } : {};
  const creds = options.kubeconfig
    ? loadKubeConfigFiles([options.kubeconfig], env, opts)
    : defaultKubeConfig(env, opts);
  return clientNodeConfig(creds);
}

/** The namespace a command works in: `-n`, else the context's, else `flux-system` as Flux's CLI does. */
export function targetNamespace(kc: KubeConfig, options: Pick<GlobalOptions, "namespace">): string {
  return options.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "flux-system";
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

/** client-node's fields for `m`: inline (base64) data or a file. */
function fields(m: Material | undefined, data: string, file: string): Record<string, string> {
  if (m === undefined) return {};
  return "data" in m ? { [data]: b64(m.data) } : { [file]: m.file };
}

function userOf(creds: KubeCredentials): User {
  const { token, cert, key, username, password, exec } = creds.user;
  return {
    name: "mooring",
    ...fields(cert, "certData", "certFile"),
    ...fields(key, "keyData", "keyFile"),
    ...(token === undefined
      ? {}
      : "data" in token
        ? { token: token.data }
        : { authProvider: { name: "tokenFile", config: { tokenFile: token.file } } }),
    ...(username === undefined ? {} : { username, password: password ?? "" }),
    ...(exec === undefined
      ? {}
      : {
          exec: {
            command: exec.command,
            args: [...exec.args],
            env: Object.entries(exec.env).map(([name, value]) => ({ name, value })),
            apiVersion: exec.apiVersion,
          },
        }),
  };
}

/** A client-node KubeConfig holding exactly the loaded context. */
export function clientNodeConfig(creds: KubeCredentials): KubeConfig {
  const { server, ca, insecureSkipTlsVerify, tlsServerName, proxyUrl } = creds.cluster;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: "mooring",
        server,
        skipTLSVerify: insecureSkipTlsVerify === true,
        ...fields(ca, "caData", "caFile"),
        ...(tlsServerName === undefined ? {} : { tlsServerName }),
        ...(proxyUrl === undefined ? {} : { proxyUrl }),
      },
    ],
    users: [userOf(creds)],
    contexts: [
      {
        name: "mooring",
        cluster: "mooring",
        user: "mooring",
        ...(creds.namespace === undefined ? {} : { namespace: creds.namespace }),
      },
    ],
    currentContext: "mooring",
  });
  return kc;
}
