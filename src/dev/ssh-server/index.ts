/** The test SSH git server's public surface: tests and the bench import from here. */
export { ensureOpenSsh } from "./install.js";
export { SSH_KEY_TYPES, sshKeygen, startSshGitServer } from "./ssh-server.js";
export type { SshGitServer, SshGitTraffic, SshKeyType } from "./ssh-server.js";
