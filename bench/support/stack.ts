import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { NODE_FLAGS } from '../../src/node-flags.js';
import { DEMO_TOKEN } from '../../src/sim/options.js';
import { freePort } from '../../tests/support/redis.js';
import { stopChild } from './all-process.js';
import type { ProbeSample } from './probe.js';

/**
 * The product as an operator runs it, each part a real `mist-wan-exporter` process (src/cli.ts under tsx, the
 * shipped node flags), for bench:load and bench:soak:
 * - the simulator (`sim`), its own process in both modes, with a rate limit the bench never reaches;
 * - `exporter` mode: a `collector` and an `exporter` on one Redis;
 * - `all` mode (the embedded default): one `all` process, collector and exporter together, in-process store,
 *   collecting from that simulator over HTTP as it would from Mist.
 * Collection runs at `intervalSeconds` for every family (≥ 30, the configuration's minimum), so snapshots are
 * re-rendered during the bench. The collector and exporter processes preload support/probe.ts: one JSON line a
 * second of event-loop delay, GC pauses, CPU and memory, read with `probe(name)`.
 */

const root = new URL('../../', import.meta.url).pathname;
const PROBE = new URL('./probe.ts', import.meta.url).pathname;
/** Same fixed start as tests/support/sim-server.ts, so runs are reproducible. */
const START = 1_790_000_000;

export type Mode = 'exporter' | 'all';

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface Stack {
  readonly mode: Mode;
  /** The exporter's base URL. */
  readonly url: string;
  /** Processes by name: `sim`, and `collector` + `exporter` or `all`. */
  readonly procs: ReadonlyMap<string, Proc>;
  /** The probe samples so far of a probed process (`collector`, `exporter`, `all`). */
  probe(name: string): ProbeSample[];
  stop(): Promise<void>;
}

function run(name: string, cmd: string, args: readonly string[], env: Record<string, string>, probe?: { file: string; ms: number }): Proc {
  const flags = [...NODE_FLAGS, ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', ...(probe ? ['--import', PROBE] : [])];
  const child = spawn(process.execPath, [...flags, 'src/cli.ts', cmd, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env, ...(probe ? { BENCH_PROBE_FILE: probe.file, BENCH_PROBE_MS: String(probe.ms) } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    name, child, output: () => output,
    stop: () => stopChild(child),
  };
}

async function until<T>(what: string, procs: readonly Proc[], timeoutMs: number, check: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const p of procs) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) before ${what}: ${p.output().slice(-2_000)}`);
    }
    const got = await check().catch(() => null);
    if (got !== null) return got;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; ${procs.map((p) => `${p.name}: ${p.output().slice(-1_000)}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The simulator, its own process (both modes), answering the demo token without a reachable rate limit. */
export async function startSim(sites: number): Promise<{ url: string; proc: Proc }> {
  const port = await freePort();
  const proc = run('sim', 'sim', ['--sites', String(sites), '--port', String(port), '--rate-limit', '1000000', '--start-time', String(START), '--warmup-minutes', '30'], {});
  const url = `http://127.0.0.1:${port}`;
  await until('the simulator answered', [proc], 300_000, async () => {
    const res = await fetch(`${url}/api/v1/self`, { headers: { authorization: `Token ${DEMO_TOKEN}` }, signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200 ? true : null;
  });
  return { url, proc };
}

export interface StackOptions {
  readonly simUrl: string;
  /** exporter mode: the Redis every process shares, and a key prefix of this run's own. */
  readonly redisUrl?: string;
  readonly prefix?: string;
  readonly intervalSeconds: number;
  /** Where probe files go (one per probed process). */
  readonly probeDir: string;
  /** EXPORTER_REFRESH_SECONDS (default 5, the shipped default). */
  readonly refreshSeconds?: number;
  readonly readyTimeoutMs?: number;
  /**
   * MIST_RATE_LIMIT of the collector (default 12,000 calls per token per hour): the fixed families at 30 s take
   * about 7,200 of the 9,600 it allows, and the budgeted one (sle-details) gets the rest, about the rate it has
   * in production at the default intervals and limit. The simulator itself never answers 429.
   */
  readonly rateLimit?: number;
  /** How often the probes sample (BENCH_PROBE_MS; default 1000). */
  readonly probeMs?: number;
}

/** Starts the collector and exporter of `mode` and waits until /ready lists every family. */
export async function startStack(mode: Mode, opts: StackOptions): Promise<Stack> {
  const intervals = FAMILY_CATALOGUES.map((c) => `${c.family}=${opts.intervalSeconds}`).join(',');
  const port = await freePort();
  const collect = {
    MIST_API_TOKENS: DEMO_TOKEN, MIST_HOST: opts.simUrl, MIST_RATE_LIMIT: String(opts.rateLimit ?? 12_000), COLLECTOR_INTERVALS: intervals,
  };
  const serveEnv = { EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(port), EXPORTER_REFRESH_SECONDS: String(opts.refreshSeconds ?? 5) };
  const probeFile = (name: string): string => `${opts.probeDir}/${name}.jsonl`;
  const probed = (name: string): { file: string; ms: number } => ({ file: probeFile(name), ms: opts.probeMs ?? 1000 });
  const procs = new Map<string, Proc>();
  if (mode === 'exporter') {
    if (!opts.redisUrl) throw new Error('exporter mode needs Redis');
    const store = { REDIS_URL: opts.redisUrl, STORE_KEY_PREFIX: opts.prefix ?? 'bench:load:' };
    procs.set('collector', run('collector', 'collector', [], { ...collect, ...store }, probed('collector')));
    procs.set('exporter', run('exporter', 'exporter', [], { ...serveEnv, ...store }, probed('exporter')));
  } else {
    procs.set('all', run('all', 'all', [], { ...collect, ...serveEnv }, probed('all')));
  }
  const url = `http://127.0.0.1:${port}`;
  const stack: Stack = {
    mode, url, procs,
    probe(name) {
      try {
        return readFileSync(probeFile(name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeSample);
      } catch {
        return [];
      }
    },
    async stop() {
      await Promise.all([...procs.values()].map((p) => p.stop()));
    },
  };
  try {
    await until('every family served', [...procs.values()], opts.readyTimeoutMs ?? 300_000, async () => {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5_000) });
      const body = (await res.json()) as { ready?: boolean; families?: string[] };
      return body.ready && (body.families?.length ?? 0) >= FAMILY_CATALOGUES.length ? true : null;
    });
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

/**
 * The collector's completed cycles, as the exporter's self-metrics show them: every family's
 * `mist_collector_last_success_timestamp_seconds`, read from `/metrics?family=exporter`.
 */
export async function lastSuccesses(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics?family=exporter`, { headers: { 'accept-encoding': 'identity' }, signal: AbortSignal.timeout(5_000) })).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^mist_collector_last_success_timestamp_seconds\{([^}]*)\} (\S+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}
