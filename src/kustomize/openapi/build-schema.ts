import { PatchSchema } from "./schema.js";

/** The version of the built-in table (the only one `openapi.version` may name). */
export const BUILTIN_OPENAPI_VERSION = "v1.21.2";

/**
 * The schema of one build, chosen the way kustomize's global `openapi.SetSchema` chooses it: the
 * root kustomization configures it first (reset), every base or component loaded afterwards may
 * configure it only while nothing has been set. A custom schema (`openapi.path`) replaces the
 * built-in one entirely, for every later patch of the build. It exists so this process-wide
 * setting of kustomize becomes per-build state here.
 */
export class BuildSchema {
  private current: PatchSchema = PatchSchema.builtin();
  private isSet = false;

  /** The schema patches should use now. */
  get schema(): PatchSchema {
    return this.current;
  }

  /**
   * Applies a kustomization's `openapi:` field. `reset` is true for the root kustomization only.
   * `readFile` reads `openapi.path` through the build's loader; `file` names the kustomization
   * in errors.
   */
  configure(
    field: Readonly<Record<string, string>> | undefined,
    readFile: (path: string) => string,
    reset: boolean,
    file: string,
  ): void {
    if (this.isSet && !reset) return;
    const path = field?.["path"];
    const version = field?.["version"];
    if (path !== undefined && path !== "") {
      if (version !== undefined) throw new Error(`${file}: builtin version and custom schema provided, cannot use both`);
      this.current = PatchSchema.fromDocument(readFile(path), path);
      this.isSet = true;
      return;
    }
    if (version === undefined || version === "") return;
    if (version !== BUILTIN_OPENAPI_VERSION) throw new Error(`${file}: the specified OpenAPI version is not built in`);
    this.current = PatchSchema.builtin();
    this.isSet = true;
  }
}
