/** mooring's kubeconfig loader and the credentials shape its requests use. */
export { type ClusterSettings, type KubeConfig, KubeCredentials, type UserSettings } from "./credentials.js";
export { KubeConfigError } from "./document.js";
export { defaultKubeConfig, inClusterKubeConfig, type KubeEnv, loadKubeConfigFiles } from "./load.js";
