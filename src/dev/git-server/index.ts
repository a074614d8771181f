/**
 * The test git server's public surface: tests, the bench and the quick-start demo import from here.
 */
export { startGitServer } from "./git-server.js";
export type { GitRequestRecord, GitServer, GitServerAuth, GitServerOptions } from "./git-server.js";
export { GitRepo } from "./repo.js";
export type { CommitOptions, FileSpec, SigningKey, TagOptions } from "./repo.js";
