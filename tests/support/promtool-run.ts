import { spawn } from 'node:child_process';

/**
 * Runs Debian's promtool (2.42; scripts/ensure-test-services.sh installs it). A missing promtool is a failure,
 * never a skip. Resolves with the exit code and stdout + stderr together.
 */
export function promtool(args: readonly string[], cwd?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', [...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => reject(new Error(`cannot run promtool (${err.message}); install it with scripts/ensure-test-services.sh`)));
    child.once('close', (code) => resolve({ code, output }));
  });
}
