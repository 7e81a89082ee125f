import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { NODE_FLAGS } from '../../src/node-flags.js';
import { freePort } from '../../tests/support/redis.js';

/**
 * `mist-wan-exporter all` as an operator runs it for the demo (`npm run demo`): the built-in simulator, the
 * collector on the real API budget and the exporter in one process with the in-process store, with the shipped
 * node flags. Run under tsx as the npm scripts do; its own process, so its CPU is told apart from Prometheus'.
 */
export interface AllProcess {
  readonly url: string;
  readonly pid: number;
  /** CPU seconds (user + system) the process has used so far, from /proc. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const root = new URL('../../', import.meta.url).pathname;

export async function startAll(sites: number, readyTimeoutMs = 300_000): Promise<AllProcess> {
  const [simPort, port] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', 'src/cli.ts', 'all'], {
    cwd: root,
    env: { ...process.env, SIM_SITES: String(sites), SIM_PORT: String(simPort), EXPORTER_PORT: String(port), EXPORTER_HOST: '127.0.0.1', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-10_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const proc: AllProcess = { url, pid: child.pid ?? -1, cpuSeconds: () => processCpuSeconds(child.pid ?? -1), stop: () => stopChild(child) };
  const until = Date.now() + readyTimeoutMs;
  // Ready = every family has a snapshot (the exporter's /ready lists them), so Prometheus' first scrape is whole.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`all exited (${child.exitCode}): ${output.slice(-2_000)}`);
    const ready = await fetch(`${url}/ready`).then((r) => r.json() as Promise<{ ready?: boolean; families?: string[] }>, () => null);
    if (ready?.ready && (ready.families?.length ?? 0) >= 10) return proc;
    if (Date.now() > until) {
      await proc.stop();
      throw new Error(`all not ready within ${readyTimeoutMs} ms: ${JSON.stringify(ready)} ${output.slice(-2_000)}`);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

const TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return NaN;
  }
}

/** Busy and total CPU seconds of the whole machine, all cores (/proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = line.reduce((a, b) => a + b, 0);
  const idle = (line[3] ?? 0) + (line[4] ?? 0);
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}
