import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCollector, type PreparedCollector } from '../../src/collect/collector.js';
import { ALARMS_SEEN, encodeLabels } from '../../src/store/counters.js';
import { runCycle } from '../../src/collect/cycle.js';
import { alarmsFamily } from '../../src/families/alarms/index.js';
import type { AlarmsRecord } from '../../src/families/alarms/records.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { MemoryStore } from '../../src/store/memory.js';
import { exporterConfig, injectGet, parseSamples, readRecords, samplesOf, type ParsedSample } from '../support/exporter-harness.js';
import { captureLog } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { advance, force, siteTruthOf } from '../support/truth.js';

/**
 * The alarms family against the simulator over real HTTP (in-memory store, the exporter on it): a forced outage
 * raises one gateway_down alarm, seen once; when the gateway recovers it resolves and is not seen again. After
 * every cycle the served mist_alarms_active equals the simulator's own open alarms. The simulated clock is
 * nearly frozen (speed 0.001): only /__sim/advance moves it.
 */
describe('alarms family against the simulator (60 sites)', () => {
  let sim: TestSim;
  let collector: PreparedCollector;
  let exporter: RunningExporter;
  const store = new MemoryStore();
  const { log } = captureLog('warn');

  const cycle = async () => {
    const r = await runCycle(collector.schedulerDeps, alarmsFamily, sim.orgId, alarmsFamily.defaultIntervalSeconds, new AbortController().signal);
    expect(r).toMatchObject({ ok: true });
  };
  const scrape = async (): Promise<ParsedSample[]> => {
    await exporter.cache.refresh();
    return parseSamples((await injectGet(exporter, `/metrics?family=alarms`)).text);
  };
  const seen = async (type: string, severity: string) => (await store.readCounters(ALARMS_SEEN))[encodeLabels({ org_id: sim.orgId, alarm_type: type, severity })];
  /** The simulator's open alarms by `site_id|type`. */
  const simOpen = () => {
    const out = new Map<string, number>();
    for (const a of sim.sim.engine.ctx.alarms.openAlarms()) {
      const key = `${sim.sim.org.sites[a.siteIndex]!.id}|${a.type}`;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
    return out;
  };
  /** What the exporter serves as open alarms by `site_id|type` (zeros left out). */
  const servedOpen = (samples: readonly ParsedSample[]) => new Map(samplesOf(samples, 'mist_alarms_active')
    .filter((s) => s.value > 0).map((s) => [`${s.labels.site_id}|${s.labels.alarm_type}`, s.value]));
  const active = (samples: readonly ParsedSample[], siteId: string, type: string) =>
    samplesOf(samples, 'mist_alarms_active').find((s) => s.labels.site_id === siteId && s.labels.alarm_type === type)?.value;

  beforeAll(async () => {
    sim = await startTestSim({ sites: 60, speed: 0.001, warmupMinutes: 120 });
    collector = await prepareCollector(exporterConfig(sim), log, { store, families: [alarmsFamily] });
    await cycle();
    exporter = await startExporter(store, exporterConfig(sim), log, { listen: false });
  }, 60_000);

  afterAll(async () => {
    await exporter?.close();
    await collector?.api.close();
    await sim?.close();
  });

  it('serves, after its first cycle, exactly the simulator\'s open alarms, counting none of them as seen', async () => {
    const samples = await scrape();
    expect(simOpen().size).toBeGreaterThan(0);
    expect(servedOpen(samples)).toEqual(simOpen());
    expect(samplesOf(samples, 'mist_alarms_seen_total').filter((s) => s.value !== 0)).toEqual([]);
    const records = await readRecords<AlarmsRecord>(store, { orgId: sim.orgId, family: 'alarms' });
    expect(records.filter((r) => r.kind === 'alarm').length).toBe(sim.sim.engine.ctx.alarms.overlapping(sim.sim.engine.now - 86_400, sim.sim.engine.now).length);
  });

  it('raises gateway_down for a forced outage (active 1, seen +1), then resolves it on recovery (active 0, seen unchanged)', async () => {
    const site = sim.sim.org.sites.find((s) => !s.isHub && !sim.sim.engine.ctx.alarms.isOpen('gateway_down', s.index))!;
    const before = (await seen('gateway_down', 'critical')) ?? 0;
    expect(active(await scrape(), site.id, 'gateway_down') ?? 0).toBe(0);

    await force(sim, { kind: 'outage', site_id: site.id, duration_seconds: 300 });
    await advance(sim, 240);
    expect((await siteTruthOf(sim, site.id)).gateway.connected).toBe(false);
    await cycle();
    let samples = await scrape();
    expect(active(samples, site.id, 'gateway_down')).toBe(1);
    expect(await seen('gateway_down', 'critical')).toBe(before + 1);
    expect(samplesOf(samples, 'mist_alarms_seen_total').find((s) => s.labels.org_id === sim.orgId && s.labels.alarm_type === 'gateway_down')?.value).toBe(before + 1);
    expect(servedOpen(samples)).toEqual(simOpen());

    // The alarm is touched each minute while the outage lasts: re-read, not counted again.
    await advance(sim, 60);
    await cycle();
    expect(await seen('gateway_down', 'critical')).toBe(before + 1);

    await advance(sim, 180);
    expect((await siteTruthOf(sim, site.id)).gateway.connected).toBe(true);
    await cycle();
    samples = await scrape();
    expect(sim.sim.engine.ctx.alarms.isOpen('gateway_down', site.index)).toBe(false);
    expect(active(samples, site.id, 'gateway_down')).toBe(0);
    expect(await seen('gateway_down', 'critical')).toBe(before + 1);
    expect(servedOpen(samples)).toEqual(simOpen());
  });
});
