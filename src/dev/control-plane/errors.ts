/**
 * The local control plane cannot be built or started on this machine. Its message is one line
 * that says why and what to do; callers print it as is and never fall back to a fake API server.
 */
export class ControlPlaneUnavailableError extends Error {
  override name = "ControlPlaneUnavailableError";
}
