import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

/** Shared by the real-service harnesses (Prometheus, Alertmanager): readiness, stopping, waiting. */

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
}): Promise<void> {
  const deadline = Date.now() + p.timeoutMs;
  for (;;) {
    const failure = await Promise.race([p.exited, delay(100).then(() => null)]);
    if (failure) {
      await rm(p.dir, { recursive: true, force: true });
      throw failure;
    }
    if (await isReady(p.url)) return;
    if (Date.now() > deadline) {
      await p.stop();
      throw new Error(`${p.bin} was not ready on ${p.port} within ${p.timeoutMs} ms: ${p.output().slice(-1_500)}`);
    }
  }
}
