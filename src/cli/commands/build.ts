import { resolve } from "node:path";
import { build, render } from "../../kustomize/index.js";
import type { CliIo } from "../context.js";

/**
 * `mooring build <dir>`: prints the rendered stream exactly as `kubectl kustomize <dir>` would,
 * through the same engine the controller uses. Any failure exits non-zero with the error on stderr
 * and nothing on stdout (never a partial stream).
 */
export async function buildCommand(dir: string, io: CliIo): Promise<number> {
  const output = render(await build(resolve(dir)));
  io.stdout(output);
  return 0;
}
