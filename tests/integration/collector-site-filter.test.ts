import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareCollector, type PreparedCollector } from '../../src/collect/collector.js';
import { runCycle } from '../../src/collect/cycle.js';
import { Scheduler } from '../../src/collect/scheduler.js';
import { runCli } from '../../src/cli/run.js';
import { eventsRecords, type EventsRecord } from '../../src/families/events/records.js';
import { FAMILIES } from '../../src/families/registry.js';
import { sitesRecords } from '../../src/families/sites/records.js';
import { sleDetailsRecords, type SleDetailsRecord } from '../../src/families/sle-details/records.js';
import { wanPortsRecords } from '../../src/families/wan-ports/records.js';
import { gatewaysRecords } from '../../src/families/gateways/records.js';
import { vpnPeersRecords } from '../../src/families/vpn-peers/records.js';
import { circuitsRecords } from '../../src/families/circuits/records.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { decodeLabels, GATEWAY_EVENTS } from '../../src/store/counters.js';
import type { RedisStore } from '../../src/store/redis.js';
import { exporterConfig, httpGet, parseSamples, readRecords, type ParsedSample } from '../support/exporter-harness.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { advance, flapsByPort, force, orgGet, type Truth, type TruthSite } from '../support/truth.js';

/**
 * Site filters end to end: the simulator over real HTTP, two collectors into two real Redis stores (one without a
 * filter: the baseline; one with include and exclude terms of every kind), the real exporter's /metrics on each,
 * and `plan`. The expected sites come from the simulator's truth and its site groups, not from the filter's code.
 * The simulated clock is nearly frozen (speed 0.001; /__sim/advance moves it) so both collectors see one org state.
 */
describe('site filters (simulator over HTTP, real Redis, exporter /metrics, plan)', () => {
  const { log } = captureLog('warn');
  let sim: TestSim;
  let truth: Truth;
  const harnesses: Awaited<ReturnType<typeof redisStoreHarness>>[] = [];
  const collectors: PreparedCollector[] = [];
  const exporters: RunningExporter[] = [];
  let env: Record<string, string>;
  let included: Set<string>;
  let excluded: TruthSite[];
  let forced: { included: TruthSite; excluded: TruthSite };
  let sleCalls: { baseline: number; filtered: number };
  let eventsWindow: { from: number; to: number };
  let metrics: { baseline: ParsedSample[]; filtered: ParsedSample[] };

  const store = (i: number): RedisStore => harnesses[i]!.store;
  const sitesCalls = async (): Promise<number> => {
    const { by_route } = (await sim.admin<{ by_route: Record<string, number> }>('GET', '/__sim/calls')).body;
    return Object.entries(by_route).filter(([r]) => r.startsWith('/api/v1/sites/')).reduce((s, [, n]) => s + n, 0);
  };
  const runOnce = async (i: number): Promise<void> => {
    const results = await new Scheduler(collectors[i]!.schedulerDeps, collectors[i]!.jobs, log).runOnce();
    expect(results.filter((r) => !r.ok)).toEqual([]);
  };
  const eventsUntil = async (i: number): Promise<number> =>
    (await readRecords<EventsRecord>(store(i), { orgId: sim.orgId, family: eventsRecords.name })).find((r) => r.kind === 'cursor')!.until_seconds;

  beforeAll(async () => {
    sim = await startTestSim({ sites: 120, speed: 0.001 });
    truth = (await sim.admin<Truth>('GET', '/__sim/truth')).body;
    const groups = await orgGet<{ id: string; name: string; site_ids: string[] }[]>(sim, 'sitegroups');
    // The biggest region, one of its stores by id, the stores of one of its cities by a name glob, every hub by name.
    const region = groups.filter((g) => g.name.startsWith('Region - ')).sort((a, b) => b.site_ids.length - a.site_ids.length)[0]!;
    const inRegion = new Set(region.site_ids);
    const stores = truth.sites.filter((s) => inRegion.has(s.site_id) && !s.is_hub);
    const byId = stores[0]!;
    const city = stores[1]!.name.split(' ').slice(2).join(' ');
    const ofCity = (s: TruthSite): boolean => s.name.toLowerCase().startsWith('store ') && s.name.toLowerCase().endsWith(` ${city.toLowerCase()}`);
    const keep = (s: TruthSite): boolean => (inRegion.has(s.site_id) || s.name.startsWith('DC')) && s.site_id !== byId.site_id && !ofCity(s);
    included = new Set(truth.sites.filter(keep).map((s) => s.site_id));
    excluded = truth.sites.filter((s) => !keep(s));
    // Every term changes the outcome: hubs outside the region, the city's stores and the one store are left out.
    expect(truth.sites.some((s) => s.is_hub && !inRegion.has(s.site_id))).toBe(true);
    expect(stores.filter(ofCity).length).toBeGreaterThanOrEqual(1);
    expect(included.size).toBeGreaterThan(5);
    expect(excluded.length).toBeGreaterThan(50);
    env = {
      SITE_INCLUDE: `group:${region.name},name:dc*`,
      SITE_EXCLUDE: `id:${byId.site_id},name:store * ${city.toLowerCase()},group:No Such Group`,
      // Every scored (site, SLE) pair is degraded: the deep dive would poll excluded sites if they reached it.
      SLE_DEGRADED_THRESHOLD: '1',
    };
    for (const [i, extra] of [{ SLE_DEGRADED_THRESHOLD: '1' }, env].entries()) {
      harnesses.push(await redisStoreHarness(inject('redisUrl'), `site-filter-${i}`, log));
      collectors.push(await prepareCollector(exporterConfig(sim, extra), log, { store: store(i) }));
    }
    await runOnce(0);
    await runOnce(1);
    // A flap on an included and on an excluded site, then a second cycle of everything (the events are counted).
    const spokes = (ids: (s: TruthSite) => boolean) => truth.sites.find((s) => !s.is_hub && ids(s) && s.circuits.length > 0)!;
    forced = { included: spokes((s) => included.has(s.site_id)), excluded: spokes((s) => !included.has(s.site_id)) };
    for (const s of [forced.included, forced.excluded]) await force(sim, { kind: 'flap', site_id: s.site_id, port_id: s.circuits[0]!.port_id, duration_seconds: 60 });
    const from = await eventsUntil(1);
    await advance(sim, 120);
    const before = await sitesCalls();
    await runOnce(0);
    const middle = await sitesCalls();
    await runOnce(1);
    sleCalls = { baseline: middle - before, filtered: (await sitesCalls()) - middle };
    eventsWindow = { from, to: await eventsUntil(1) };
    for (const [i, extra] of [{}, env].entries()) {
      exporters.push(await startExporter(store(i), exporterConfig(sim, extra), log));
      await exporters[i]!.cache.refresh();
    }
    const scrape = async (e: RunningExporter) => parseSamples((await httpGet(`${e.url}/metrics`)).text);
    metrics = { baseline: await scrape(exporters[0]!), filtered: await scrape(exporters[1]!) };
  }, 60_000);

  afterAll(async () => {
    for (const e of exporters) await e.close();
    for (const c of collectors) await c.api.close();
    for (const h of harnesses) await h.cleanup();
    await sim?.close();
  });

  const siteIds = (samples: readonly ParsedSample[]): Set<string> => new Set(samples.flatMap((s) => (s.labels.site_id ? [s.labels.site_id] : [])));
  const series = (s: ParsedSample): string => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
  const selfValue = (name: string, labels: Record<string, string>): number | undefined =>
    metrics.filtered.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

  it('serves series for exactly the included sites: none for an excluded site, every one the baseline has for an included site', () => {
    expect(siteIds(metrics.baseline)).toEqual(new Set(truth.sites.map((s) => s.site_id)));
    expect(siteIds(metrics.filtered)).toEqual(included);
    // Identity of every series of the inventory and availability families: the baseline's, restricted to included sites.
    const stable = new Set(FAMILIES.filter((f) => [sitesRecords, gatewaysRecords, wanPortsRecords, vpnPeersRecords, circuitsRecords].some((r) => r.name === f.name))
      .flatMap((f) => [...f.catalogue.groups.flatMap((g) => g.metrics.map((m) => m.name)), ...(f.catalogue.counters ?? []).map((c) => c.name)]));
    // A VPN path's peer port is resolved through the peer's gateway: paths to an excluded peer keep Mist's name.
    const peerKept = (s: ParsedSample) => s.labels.peer_site_id === undefined || s.labels.peer_site_id === '' || included.has(s.labels.peer_site_id);
    const pick = (samples: readonly ParsedSample[], keep: (id: string) => boolean) =>
      samples.filter((s) => stable.has(s.name) && s.labels.site_id !== undefined && keep(s.labels.site_id) && peerKept(s)).map(series).sort();
    const expected = pick(metrics.baseline, (id) => included.has(id));
    expect(expected.length).toBeGreaterThan(included.size * 10);
    expect(pick(metrics.filtered, () => true)).toEqual(expected);
  });

  it('reports the sites kept and left out and the rows filtered, equal to the truth; nothing counted as invalid', () => {
    expect(selfValue('mist_collector_site_filter_sites', { org_id: sim.orgId, decision: 'included' })).toBe(included.size);
    expect(selfValue('mist_collector_site_filter_sites', { org_id: sim.orgId, decision: 'excluded' })).toBe(excluded.length);
    const filtered = (family: string) => selfValue('mist_collector_records_filtered', { org_id: sim.orgId, family });
    expect(filtered(sitesRecords.name)).toBe(excluded.length);
    expect(filtered(wanPortsRecords.name)).toBe(excluded.reduce((n, s) => n + s.circuits.length, 0));
    for (const r of [gatewaysRecords, vpnPeersRecords]) expect(filtered(r.name), r.name).toBeGreaterThan(0);
    for (const r of [sitesRecords, gatewaysRecords, wanPortsRecords]) expect(selfValue('mist_collector_records_dropped', { org_id: sim.orgId, family: r.name }), r.name).toBe(0);
    expect(metrics.baseline.some((s) => s.name === 'mist_collector_records_filtered' || s.name === 'mist_collector_site_filter_sites')).toBe(false);
  });

  it('keeps no counter for excluded sites: flaps and events by type count the included sites only', async () => {
    const macs = (ids: (id: string) => boolean) => new Set(truth.sites.filter((s) => ids(s.site_id)).map((s) => s.gateway.mac));
    const flaps = async (i: number) => flapsByPort(store(i), sim.orgId);
    const port = (s: TruthSite) => `${s.gateway.mac}|${s.circuits[0]!.port_id}`;
    const [baseline, filtered] = [await flaps(0), await flaps(1)];
    expect(baseline.get(port(forced.excluded))).toBeGreaterThanOrEqual(2);
    expect(filtered.get(port(forced.included))).toBeGreaterThanOrEqual(2);
    expect(filtered.has(port(forced.excluded))).toBe(false);
    const mac = (key: string) => key.split('|')[0]!;
    expect(new Set([...filtered.keys()].map(mac))).toEqual(macs((id) => included.has(id)));
    // Events by type (no site label): exactly the simulator's log of the included sites' gateways in the window.
    const logged = new Map<string, number>();
    const gatewaySite = (g: number) => sim.sim.org.sites[sim.sim.org.gateways[g]!.siteIndex]!.id;
    for (const e of sim.sim.engine.ctx.events.range(eventsWindow.from, eventsWindow.to)) {
      if (included.has(gatewaySite(e.gatewayIndex))) logged.set(e.type, (logged.get(e.type) ?? 0) + 1);
    }
    const totals = new Map<string, number>();
    for (const [field, n] of Object.entries(await store(1).readCounters(GATEWAY_EVENTS))) {
      const labels = decodeLabels(field);
      if (labels?.org_id === sim.orgId && n > 0) totals.set(labels.event_type!, n);
    }
    expect(totals).toEqual(logged);
    expect(logged.get('GW_PORT_DOWN')).toBeGreaterThanOrEqual(1);
  });

  it('makes no per-site call for an excluded site: the deep dive polls included sites only', async () => {
    const details = async (i: number) => readRecords<SleDetailsRecord>(store(i), { orgId: sim.orgId, family: sleDetailsRecords.name });
    const [baseline, filtered] = [await details(0), await details(1)];
    expect(baseline.some((r) => r.kind === 'details' && !included.has(r.site_id))).toBe(true);
    expect(filtered.filter((r) => r.kind === 'details').length).toBeGreaterThan(0);
    expect(filtered.filter((r) => r.kind !== 'cycle' && r.kind !== 'state' && !included.has(r.site_id))).toEqual([]);
    // Every per-site call of the last filtered cycle went to a pair whose details it kept: Mist counted exactly the
    // cycle's calls, 2 per polled pair plus each threshold fetched, and every polled pair's details survived the filter.
    const polled = filtered.find((r) => r.kind === 'state' && r.state === 'polled');
    const cycle = filtered.find((r) => r.kind === 'cycle');
    const fresh = filtered.filter((r) => r.kind === 'details' && r.carried_cycles === 0).length;
    const thresholds = filtered.filter((r) => r.kind === 'threshold' && r.age_cycles === 0).length;
    expect(polled?.kind === 'state' ? polled.pairs : -1).toBe(fresh);
    expect(cycle?.kind === 'cycle' ? cycle.calls : -1).toBe(sleCalls.filtered);
    expect(sleCalls.filtered).toBe(2 * fresh + thresholds);
    expect(sleCalls.filtered).toBeLessThan(sleCalls.baseline);
  });

  it('a filter set on a store of unfiltered snapshots: the deep dive reads the old sle snapshot without the excluded sites', async () => {
    // The filtered collector on the baseline's store, whose sle snapshot has every site. Its name and group terms
    // need the site directory first: the deep dive waits (no call) until the sites family has saved it.
    const deps = { ...collectors[1]!.schedulerDeps, store: store(0) };
    const cycle = (family: string) => {
      const job = collectors[1]!.jobs.find((j) => j.family.name === family)!;
      return runCycle(deps, job.family, sim.orgId, job.intervalSeconds, new AbortController().signal, job.callBudget);
    };
    let before = await sitesCalls();
    expect((await cycle(sleDetailsRecords.name)).error).toMatch(/^E_SITE_FILTER_NO_DIRECTORY: /);
    expect(await sitesCalls()).toBe(before);
    expect((await cycle(sitesRecords.name)).ok).toBe(true);
    before = await sitesCalls();
    expect((await cycle(sleDetailsRecords.name)).ok).toBe(true);
    const calls = (await sitesCalls()) - before;
    const records = await readRecords<SleDetailsRecord>(store(0), { orgId: sim.orgId, family: sleDetailsRecords.name });
    expect(records.filter((x) => x.kind !== 'cycle' && x.kind !== 'state' && !included.has(x.site_id))).toEqual([]);
    const fresh = records.filter((x) => x.kind === 'details' && x.carried_cycles === 0).length;
    const thresholds = records.filter((x) => x.kind === 'threshold' && x.age_cycles === 0).length;
    expect(fresh).toBeGreaterThan(0);
    expect(calls).toBe(2 * fresh + thresholds);
    // Its budget went to included pairs only (a pair of an excluded site would be planned, then refused uncalled).
    const spent = records.find((x) => x.kind === 'cycle');
    expect(spent?.kind === 'cycle' ? spent.calls : -1).toBe(calls);
    // What it read and left out is counted as filtered: the excluded sites' sle records (3 scores + 1 site each, and ranks).
    expect((await store(0).readMeta({ orgId: sim.orgId, family: sleDetailsRecords.name }))?.recordsFiltered).toBeGreaterThan(excluded.length);
  });

  it('plan prints the terms, what the filter keeps and excludes of the org, and warns of a term that matches nothing', async () => {
    const out: string[] = [];
    const code = await runCli(['plan'], {
      stdout: (t) => void out.push(t), stderr: (t) => void out.push(t), waitForShutdown: () => new Promise(() => undefined),
      env: { MIST_API_TOKENS: sim.token, MIST_HOST: sim.url, LOG_LEVEL: 'warn', ...env }, envFile: '/nonexistent',
    });
    const text = out.join('');
    expect(code).toBe(0);
    expect(text).toContain(`SITE_INCLUDE: ${env.SITE_INCLUDE!.replace(',', ', ')}`);
    const line = text.split('\n').find((l) => l.includes(`(${sim.orgId}): keeps`))!;
    expect(line).toContain(`keeps ${included.size} of ${truth.sites.length} sites, excludes ${excluded.length}: `);
    const names = line.slice(line.indexOf(`excludes ${excluded.length}: `) + `excludes ${excluded.length}: `.length).replace(/ and \d+ more$/, '').split(', ');
    expect(names).toHaveLength(5);
    for (const name of names) expect(excluded.map((s) => s.name)).toContain(name);
    expect(text).toContain('WARNING: SITE_EXCLUDE group:No Such Group matches no site');
  });
});
