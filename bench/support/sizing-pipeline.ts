/**
 * The product pipeline on a virtual clock, for bench/sizing.ts: the simulator (real HTTP on loopback), the real
 * collector's cycles (prepareCollector + runCycle, the scheduler's own per-family intervals) into the in-process
 * store, and the exporter's renderer (renderFamilyTo, what the render worker runs) — all reading one clock that
 * the bench moves forward instead of waiting. A family is re-rendered only when its generation or one of its
 * counter groups changes, as the exporter's cache does, so between two collections every scrape repeats the same
 * values, as a real Prometheus would store them.
 *
 * Not included: the exporter's self-metrics (`family=exporter`, ~220 series at 3,208 sites, 0.06 % of the
 * series), and wall-clock effects (a cycle takes no virtual time; real collections land a few seconds after
 * their interval starts, which shifts, but does not add, value changes).
 */
import type { Logger } from '../../src/log.js';
import { prepareCollector, type PreparedCollector } from '../../src/collect/collector.js';
import { runCycle } from '../../src/collect/cycle.js';
import { loadConfig } from '../../src/config/index.js';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { renderFamilyTo, type OrgPages } from '../../src/metrics/exposition.js';
import { buildSimApp } from '../../src/sim/http/app.js';
import { DEMO_TOKEN, SimOptionsSchema } from '../../src/sim/options.js';
import { Simulator } from '../../src/sim/simulator.js';
import { MemoryStore } from '../../src/store/memory.js';

/** One family's current exposition as OpenMetrics sample lines with a fixed-width timestamp slot per line. */
export interface FamilyTemplate {
  readonly family: string;
  /** `name{labels} value 0000000000\n` per series (no HELP/TYPE lines: promtool does not need them). */
  readonly body: Buffer;
  /** Offset of each line's timestamp slot in `body`. */
  readonly slots: Uint32Array;
  readonly series: number;
  /** Renders of this family so far (one per new generation or counter change). */
  readonly renders: number;
}

/** Width of the timestamp slot: epoch seconds have 10 digits until the year 2286. */
export const TS_WIDTH = 10;

export interface SizingPipeline {
  readonly orgId: string;
  /** WAN circuits (ports) of the simulated org. */
  readonly circuits: number;
  readonly jobs: PreparedCollector['jobs'];
  /** Moves the virtual clock to `atSec`, runs every collection due by then, re-renders what changed. */
  stepTo(atSec: number): Promise<void>;
  /** The families' current templates, in exposition order (families without data yet are absent). */
  templates(): readonly FamilyTemplate[];
  /** Collection cycles run and failed so far; virtual seconds the client slept (rate limit, retries). */
  readonly stats: { cycles: number; failed: number; sleptSeconds: number; renderMs: number; collectMs: number };
  close(): Promise<void>;
}

/** Sample lines of exposition text with a timestamp slot; comments dropped. */
export function toTemplate(family: string, text: string, renders: number): FamilyTemplate {
  const pad = ' '.padEnd(TS_WIDTH + 1, '0');
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const body = Buffer.from(lines.length === 0 ? '' : `${lines.join(`${pad}\n`)}${pad}\n`);
  const slots = new Uint32Array(lines.length);
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    at = body.indexOf(10, at) + 1;
    slots[i] = at - 1 - TS_WIDTH;
  }
  return { family, body, slots, series: lines.length, renders };
}

export async function openSizingPipeline(opts: { sites: number; startSec: number; seed?: string; log: Logger }): Promise<SizingPipeline> {
  let nowMs = opts.startSec * 1000;
  const now = (): number => nowMs;
  const stats = { cycles: 0, failed: 0, sleptSeconds: 0, renderMs: 0, collectMs: 0 };
  const sim = new Simulator(SimOptionsSchema.parse({ sites: opts.sites, startTime: opts.startSec, warmupMinutes: 30, port: 0, ...(opts.seed ? { seed: opts.seed } : {}) }), now);
  const { app } = buildSimApp(sim);
  const url = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('[::1]', '127.0.0.1');
  const store = new MemoryStore({ now });
  const config = loadConfig({ MIST_API_TOKENS: DEMO_TOKEN, MIST_HOST: url, LOG_LEVEL: 'error' }, { envFile: '/nonexistent' });
  // A client sleep (rate limit, retry) moves the virtual clock: nothing here waits in real time.
  const sleep = async (ms: number): Promise<void> => {
    stats.sleptSeconds += ms / 1000;
    nowMs += ms;
  };
  const prepared = await prepareCollector(config, opts.log, { store, now, sleep });
  const abort = new AbortController();
  const due = prepared.jobs.map(() => opts.startSec);
  const rendered = new Map<string, { source: string; template: FamilyTemplate }>();

  async function render(): Promise<void> {
    const started = performance.now();
    const keys = await store.listFamilies();
    for (const catalogue of FAMILY_CATALOGUES) {
      const mine = keys.filter((k) => k.family === catalogue.family);
      const input: OrgPages[] = [];
      const parts: string[] = [];
      for (const key of mine) {
        const meta = await store.readMeta(key);
        if (meta?.generation) parts.push(`${key.orgId}:${meta.generation}`);
      }
      const groups = [...new Set((catalogue.counters ?? []).map((d) => d.group))];
      for (const g of groups) parts.push(`${g}:${await store.counterVersion(g)}`);
      const source = parts.join(',');
      const current = rendered.get(catalogue.family);
      if (current?.source === source) continue;
      for (const key of mine) {
        const snap = await store.readSnapshot(key);
        if (snap) input.push({ orgId: key.orgId, pages: snap.pages });
      }
      if (input.length === 0) {
        rendered.delete(catalogue.family);
        continue;
      }
      const counters: Record<string, Record<string, number>> = {};
      for (const g of groups) counters[g] = await store.readCounters(g);
      const text: string[] = [];
      await renderFamilyTo(catalogue, input, counters, (t) => void text.push(t));
      rendered.set(catalogue.family, { source, template: toTemplate(catalogue.family, text.join(''), (current?.template.renders ?? 0) + 1) });
    }
    stats.renderMs += performance.now() - started;
  }

  return {
    orgId: sim.org.id,
    circuits: sim.org.wanPorts.length,
    jobs: prepared.jobs,
    stats,
    async stepTo(atSec: number): Promise<void> {
      if (atSec * 1000 < nowMs) throw new Error(`the clock only moves forward (${atSec} < ${nowMs / 1000})`);
      nowMs = atSec * 1000;
      const started = performance.now();
      // In list order, as the scheduler starts them (gateways before wan-ports).
      for (const [i, job] of prepared.jobs.entries()) {
        if (due[i]! > atSec) continue;
        const r = await runCycle(prepared.schedulerDeps, job.family, job.orgId, job.intervalSeconds, abort.signal, job.callBudget);
        stats.cycles += 1;
        if (!r.ok) {
          stats.failed += 1;
          opts.log.warn({ family: job.family.name, error: r.error }, 'sizing: collection cycle failed');
        }
        while (due[i]! <= atSec) due[i] = due[i]! + job.intervalSeconds;
      }
      stats.collectMs += performance.now() - started;
      await render();
    },
    templates(): readonly FamilyTemplate[] {
      return FAMILY_CATALOGUES.flatMap((c) => {
        const r = rendered.get(c.family);
        return r ? [r.template] : [];
      });
    },
    async close(): Promise<void> {
      abort.abort();
      await prepared.api.close();
      await store.close();
      await app.close();
    },
  };
}
