import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

/** Shared by the real-service harnesses (Prometheus, Alertmanager, VictoriaMetrics): starting, readiness, stopping, waiting. */

export interface SpawnedService {
  readonly child: ChildProcess;
  /** The last 20,000 characters the process wrote (stdout and stderr). */
  output(): string;
  /** Settles with why the process is gone: it could not start (with `installHint`) or it exited. */
  readonly exited: Promise<Error>;
  /** Stops the process once (SIGTERM, then SIGKILL) and removes `dir`. */
  stop(): Promise<void>;
}

/** Starts `bin` with `args`, keeping its output; `dir` is its temp dir, removed when it is stopped. */
export function spawnService(bin: string, args: readonly string[], dir: string, installHint: string): SpawnedService {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (err) => resolve(new Error(`cannot run ${bin} (${err.message}); ${installHint} (scripts/ensure-test-services.sh)`)));
    child.once('exit', (code, signal) => resolve(new Error(`${bin} exited (${code ?? signal}): ${output.slice(-1_500)}`)));
  });
  let stopped: Promise<void> | undefined;
  return { child, output: () => output, exited, stop: () => (stopped ??= stopProcess(child, dir)) };
}

/** GET /-/ready answers 200 (Prometheus and Alertmanager both serve it). */
export async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** SIGTERM, SIGKILL after 5 s, then removes the process's temp dir. */
export async function stopProcess(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until a started service answers /-/ready: throws its exit (temp dir removed) if it dies first, or stops
 * it and throws with its last output when it is not ready within `timeoutMs`.
 */
export async function awaitReady(p: {
  bin: string; url: string; port: number; dir: string; timeoutMs: number;
  exited: Promise<Error>; stop: () => Promise<void>; output: () => string;
  /** Whether it answers yet (default: GET /-/ready is 200, as Prometheus and Alertmanager serve it). */
  ready?: () => Promise<boolean>;
}): Promise<void> {
  const deadline = Date.now() + p.timeoutMs;
  for (;;) {
    const failure = await Promise.race([p.exited, delay(100).then(() => null)]);
    if (failure) {
      await rm(p.dir, { recursive: true, force: true });
      throw failure;
    }
    if (await (p.ready ? p.ready() : isReady(p.url))) return;
    if (Date.now() > deadline) {
      await p.stop();
      throw new Error(`${p.bin} was not ready on ${p.port} within ${p.timeoutMs} ms: ${p.output().slice(-1_500)}`);
    }
  }
}
