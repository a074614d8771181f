import { spawn } from "node:child_process";

/** What to ask of one krusty-bench process (see main.go). */
export interface KrustyRequest {
  corpus: string;
  /** Root paths relative to `corpus`, each with the sha256 of its expected output. */
  roots: { root: string; sha256: string }[];
  /** Passes over all roots; the first one is the cold pass. */
  passes: number;
  /** A root timed alone after the full passes, `singlePasses` times. */
  single?: string;
  singlePasses?: number;
  /** Reset and reload the OpenAPI schema before every build, as Flux's kustomize-controller does. */
  resetOpenapi?: boolean;
}

/** Timings and outcome of one krusty-bench process. */
export interface KrustyResult {
  /** ms per pass over all roots, in order: [0] is the cold pass. */
  allMs: number[];
  singleMs: number[];
  failedRoots: string[];
  /** Roots whose first-pass output is not byte-identical to the corpus's expected output. */
  mismatchedRoots: string[];
  peakRssKb: number;
}

type Line =
  | { kind: "all" | "single"; pass: number; ms: number; failures: number; mismatches: number }
  | { kind: "summary"; failedRoots: string[] | null; mismatchedRoots: string[] | null; peakRssKb: number };

/** Runs the Go kustomize bench program once and collects its JSON lines. */
export async function runKrusty(binary: string, request: KrustyRequest): Promise<KrustyResult> {
  const { stdout, stderr, code } = await exec(binary, krustyArgs(request), stdinFor(request));
  if (code !== 0)
    throw new Error(`krusty-bench exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return parse(stdout);
}

function krustyArgs(request: KrustyRequest): string[] {
  const args = ["-corpus", request.corpus, "-passes", String(request.passes)];
  if (request.single)
    args.push("-single", request.single, "-single-passes", String(request.singlePasses ?? 1));
  if (request.resetOpenapi) args.push("-reset-openapi");
  return args;
}

function stdinFor(request: KrustyRequest): string {
  return request.roots.map((r) => `${r.root}\t${r.sha256}\n`).join("");
}

function parse(stdout: string): KrustyResult {
  const result: KrustyResult = {
    allMs: [],
    singleMs: [],
    failedRoots: [],
    mismatchedRoots: [],
    peakRssKb: 0,
  };
  for (const text of stdout.trim().split("\n")) {
    const line = JSON.parse(text) as Line;
    if (line.kind === "summary") {
      result.failedRoots = line.failedRoots ?? [];
      result.mismatchedRoots = line.mismatchedRoots ?? [];
      result.peakRssKb = line.peakRssKb;
    } else if (line.kind === "all") result.allMs.push(line.ms);
    else result.singleMs.push(line.ms);
  }
  return result;
}

/**
 * Spawns the program with `input` on stdin. Its stderr carries kustomize's deprecation warnings
 * (hundreds of lines); only the tail is kept, for an error message.
 */
function exec(
  cmd: string,
  args: string[],
  input: string,
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4096)));
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code: code ?? 1 }));
    child.stdin.end(input);
  });
}
