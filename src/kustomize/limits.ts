/**
 * Input limits of a build (issue 14): the largest file, the total bytes read and the number of
 * objects parsed. A repository past any of them fails at once with a message naming the file, the
 * size and the limit, instead of growing the build until a heap limit or a timeout stops it.
 * Unlimited unless the caller sets them (`kubectl kustomize` has none; the controller does).
 */
import { KustomizeError } from "./errors.js";

/** The limits; every field is a maximum. */
export interface BuildLimits {
  /** Largest single file read (bytes). */
  readonly maxFileBytes: number;
  /** All files read by one build together (bytes). */
  readonly maxTotalBytes: number;
  /** Objects parsed from resource files (a file listed twice counts twice). */
  readonly maxObjects: number;
}

/** No limits (the CLI's `mooring build DIR`, like `kubectl kustomize`). */
export const UNLIMITED: BuildLimits = Object.freeze({
  maxFileBytes: Infinity,
  maxTotalBytes: Infinity,
  maxObjects: Infinity,
});

const MIB = 1024 * 1024;

/** `12.3 MiB` for sizes from a MiB, else bytes. */
export function formatBytes(bytes: number): string {
  if (bytes < MIB) return `${bytes} bytes`;
  const mib = bytes / MIB;
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}

/** What one build has used so far, checked against its limits. */
export class BuildBudget {
  private bytes = 0;
  private objects = 0;

  constructor(readonly limits: BuildLimits = UNLIMITED) {}

  /** Accounts for reading a file of `size` bytes; throws when the file or the total is too large. */
  read(size: number, file: string): void {
    if (size > this.limits.maxFileBytes) {
      throw new KustomizeError(
        `file is ${formatBytes(size)}, over the ${formatBytes(this.limits.maxFileBytes)} limit per file ` +
          `(controller flag --build-max-file-bytes): split it or keep large data out of the repository`,
        { file },
      );
    }
    this.bytes += size;
    if (this.bytes > this.limits.maxTotalBytes) {
      throw new KustomizeError(
        `the build has read ${formatBytes(this.bytes)}, over the ${formatBytes(this.limits.maxTotalBytes)} ` +
          `limit per build (controller flag --build-max-total-bytes): split the Kustomization`,
        { file },
      );
    }
  }

  /** Accounts for `count` objects parsed from `file`; throws past the object limit. */
  parsed(count: number, file: string): void {
    this.objects += count;
    if (this.objects > this.limits.maxObjects) {
      throw new KustomizeError(
        `the build has more than ${this.limits.maxObjects.toLocaleString("en-US")} objects, the limit per build ` +
          `(controller flag --build-max-objects): split the Kustomization`,
        { file },
      );
    }
  }
}
