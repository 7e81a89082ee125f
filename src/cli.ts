#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * Bin entry: wires runCli to the real process. The only place that exits the process,
 * so everything else stays testable.
 */
import { runCli } from './cli/run.js';

function waitForShutdown(): Promise<string> {
  return new Promise((resolve) => {
    // Both listeners go on the first signal, so a second Ctrl-C during a slow close kills the process.
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  waitForShutdown,
  stdoutIsTTY: process.stdout.isTTY === true,
});
process.exit(code);
