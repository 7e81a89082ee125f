import { prepareCollector, type PreparedCollector } from '../../../src/collect/collector.js';
import { runCycle } from '../../../src/collect/cycle.js';
import type { Family } from '../../../src/collect/family.js';
import { circuitsFamily } from '../../../src/families/circuits/index.js';
import { eventsFamily } from '../../../src/families/events/index.js';
import { gatewaysFamily } from '../../../src/families/gateways/index.js';
import { FAMILY_CATALOGUES } from '../../../src/families/registry.js';
import { sitesFamily } from '../../../src/families/sites/index.js';
import { vpnPeersFamily } from '../../../src/families/vpn-peers/index.js';
import { wanPortsFamily } from '../../../src/families/wan-ports/index.js';
import { parseInventory } from '../../../src/inventory/load.js';
import type { Logger } from '../../../src/log.js';
import { renderFamily } from '../../../src/metrics/exposition.js';
import { renderSelf } from '../../../src/metrics/self-render.js';
import { API_RATE_LIMITED, API_REQUEST_FAILURES, API_REQUESTS, COLLECTOR_UNCOUNTED_GAP } from '../../../src/store/counters.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { exporterConfig, parseSamples } from '../exporter-harness.js';
import type { TestSim } from '../sim-server.js';

/**
 * The real pipeline, stepped one simulated minute at a time: the simulator over HTTP → one collection cycle of
 * each family the rules read (the collector's own runCycle, on the simulator's clock) → the in-process store →
 * the exporter's renderer (renderFamily: what the render worker runs; renderSelf for the collector self-metrics)
 * → exposition text → samples. Only the
 * metric names asked for are kept. Every family is collected every minute (the shortest default interval), so a
 * snapshot taken at minute T is what a scrape at T and T+30 s would have seen.
 */

/** The families the KPI rules read (mist_site_info, mist_gateway_up, WAN ports, VPN paths, circuits, flaps). */
export const KPI_FAMILIES: readonly Family[] = [sitesFamily, gatewaysFamily, wanPortsFamily, vpnPeersFamily, circuitsFamily, eventsFamily] as readonly unknown[] as readonly Family[];

/** One series' values, one per collected minute (undefined: absent from that minute's exposition). */
export interface CollectedSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly values: (number | undefined)[];
}

export interface Collection {
  /** Simulated epoch seconds of the first snapshot; snapshot i was taken at start + 60 i. */
  readonly start: number;
  readonly minutes: number;
  readonly series: ReadonlyMap<string, CollectedSeries>;
}

export const seriesKey = (name: string, labels: Readonly<Record<string, string>>): string =>
  `${name}{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;

export interface Stepper {
  /** Collects the current minute (every family once) and records the kept samples. */
  collect(): Promise<void>;
  /** Moves the simulator's clock one minute. */
  advance(): void;
  result(): Collection;
  close(): Promise<void>;
}

export async function startStepper(sim: TestSim, log: Logger, keep: ReadonlySet<string>): Promise<Stepper> {
  const simNowMs = (): number => Math.round(sim.sim.clock.now() * 1000);
  const csv = await (await fetch(`${sim.url}/__sim/inventory?format=csv`)).text();
  const parsed = parseInventory(csv, 'csv', 'sim-inventory.csv', simNowMs());
  const inventory = parsed.inventory;
  if (!inventory) throw new Error(`the simulator's inventory was rejected: ${parsed.problems.join('; ')}`);
  const store = new MemoryStore({ now: simNowMs });
  const prepared: PreparedCollector = await prepareCollector(exporterConfig(sim), log, {
    store, families: KPI_FAMILIES, now: simNowMs, inventory: () => inventory,
  });
  const catalogues = FAMILY_CATALOGUES.filter((c) => KPI_FAMILIES.some((f) => f.name === c.family));
  const start = Math.round(sim.sim.clock.now());
  const series = new Map<string, CollectedSeries>();
  let minutes = 0;
  /** The exporter's self-metrics of the families (last success, interval: the rules' freshness gate reads them). */
  const selfText = async (): Promise<string> => {
    const now = simNowMs();
    const metas = [];
    for (const family of KPI_FAMILIES) {
      const meta = await store.readMeta({ orgId: sim.orgId, family: family.name });
      if (!meta) continue;
      const expiresAt = meta.lastSuccess !== null && meta.intervalSeconds !== null ? meta.lastSuccess + 3 * meta.intervalSeconds * 1000 : null;
      metas.push({ orgId: sim.orgId, family: family.name, ...meta, expiresAt });
    }
    return renderSelf({ version: 'kpi-truth', storeUp: true, lastRefresh: now, now, metas, usage: [], counters: new Map(), families: [] },
      { requests: API_REQUESTS, failures: API_REQUEST_FAILURES, rateLimited: API_RATE_LIMITED, uncountedGap: COLLECTOR_UNCOUNTED_GAP });
  };
  return {
    async collect() {
      for (const family of KPI_FAMILIES) {
        const r = await runCycle(prepared.schedulerDeps, family, sim.orgId, 60, new AbortController().signal);
        if (!r.ok) throw new Error(`${family.name} cycle failed at minute ${minutes}: ${r.error ?? ''}`);
      }
      let text = '';
      for (const catalogue of catalogues) {
        const snap = await store.readSnapshot({ orgId: sim.orgId, family: catalogue.family });
        if (!snap) continue;
        const counters: Record<string, Record<string, number>> = {};
        for (const group of new Set((catalogue.counters ?? []).map((d) => d.group))) counters[group] = await store.readCounters(group);
        text += (await renderFamily(catalogue, [{ orgId: sim.orgId, pages: snap.pages }], counters)).text;
      }
      text += await selfText();
      for (const s of parseSamples(text)) {
        if (!keep.has(s.name)) continue;
        const key = seriesKey(s.name, s.labels);
        let entry = series.get(key);
        if (!entry) {
          entry = { name: s.name, labels: s.labels, values: [] };
          series.set(key, entry);
        }
        entry.values[minutes] = s.value;
      }
      minutes += 1;
    },
    advance() {
      sim.sim.clock.advance(60);
      sim.sim.sync();
    },
    result: () => ({ start, minutes, series }),
    close: () => prepared.api.close(),
  };
}
