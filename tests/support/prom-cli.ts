import { spawn } from 'node:child_process';

/**
 * Runs promtool or amtool (Debian's prometheus and prometheus-alertmanager packages; scripts/ensure-test-services.sh
 * installs them) and returns its exit code and output. A missing binary is a failure, never a skip.
 */
export function runTool(bin: 'promtool' | 'amtool', args: readonly string[], cwd?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => reject(new Error(`cannot run ${bin} (${err.message}); install it with scripts/ensure-test-services.sh`)));
    child.once('close', (code) => resolve({ code, output }));
  });
}
