/**
 * The container image's HEALTHCHECK (`node dist/healthcheck.js`): exit 0 when what the running subcommand serves
 * answers 2xx within 4 s, else 1 with one line saying what failed. Reads the main process' command line from
 * /proc/1/cmdline (PID 1 is the CLI, or docker-init whose command line holds the CLI's).
 */
import { readFileSync } from 'node:fs';
import { healthTarget, parseCmdline } from './health-target.js';

function mainArgv(): string[] {
  try {
    return parseCmdline(readFileSync('/proc/1/cmdline', 'utf8'));
  } catch {
    return [];
  }
}

const target = healthTarget(process.argv.length > 2 ? process.argv.slice(2) : mainArgv(), process.env);
if (target.kind === 'none') {
  process.stdout.write(`healthy: ${target.reason}\n`);
  process.exit(0);
}
try {
  const res = await fetch(target.url, { signal: AbortSignal.timeout(4000) });
  process.stdout.write(`${target.url}: HTTP ${res.status}\n`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  process.stdout.write(`${target.url}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
