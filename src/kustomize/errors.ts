/**
 * The one error type the renderer throws. It names the file (relative to the build root when
 * possible) and, for YAML, the line, so a user can find the problem without a partial output.
 */
export class KustomizeError extends Error {
  override readonly name = "KustomizeError";
  /** File the error is about, when there is one. */
  readonly file: string | undefined;
  /** 1-based line in `file`, for YAML errors. */
  readonly line: number | undefined;

  constructor(message: string, options: { file?: string; line?: number; cause?: unknown } = {}) {
    const where = options.file ? `${options.file}${options.line ? `:${options.line}` : ""}: ` : "";
    super(where + message, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = options.file;
    this.line = options.line;
  }
}
