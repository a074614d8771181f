import { request } from "node:https";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { ManagedProcess } from "./processes.js";
import { tail } from "../go-build/exec.js";

/** Client credentials for probing the API server. */
export interface TlsClient {
  ca?: string;
  cert?: string;
  key?: string;
  /** Skip server verification (only for a component's self-signed health endpoint). */
  insecure?: boolean;
}

/** GETs an https URL with client-certificate auth; resolves with the status code and body. */
export function httpsGet(url: string, tls: TlsClient): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "GET",
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        rejectUnauthorized: !tls.insecure,
        timeout: 5000,
      },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/**
 * Polls `probe` until it returns true. Fails fast, with the tail of the process log, if the
 * process exits first; fails with the last probe error at the deadline.
 */
export async function waitUntilReady(
  proc: ManagedProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "not ready";
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      const log = await readFile(proc.logFile, "utf8").catch(() => "");
      throw new Error(`${proc.name} exited during startup (code ${proc.child.exitCode}): ${tail(log, 5)}`);
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(
    `${proc.name} was not ready after ${timeoutMs / 1000}s: ${lastError} (log: ${proc.logFile})`,
  );
}
