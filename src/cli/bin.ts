#!/usr/bin/env node
/** The `mooring` executable: wires the real process into the CLI and exits with its code. */
import { runCli } from "./program.js";

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  tty: process.stdout.isTTY,
  env: process.env,
});
process.exitCode = code;
