/**
 * Site filters, measured: one full collection cycle of the simulator's org (3,208 sites by default) into a real
 * Redis per scenario (no filter; one region included; that region excluded: the two halves of a split org), then
 * the exporter's /metrics of each: series, bytes, render time, and the Mist calls of the cycle (org-level and
 * per-site). Prints a markdown table (docs/scaling.md).
 *
 * Run: npx tsx bench/site-filter.ts [--sites 3208]
 */
import { parseArgs } from 'node:util';
import { prepareCollector } from '../src/collect/collector.js';
import { Scheduler } from '../src/collect/scheduler.js';
import { createLogger } from '../src/log.js';
import { startExporter } from '../src/server/exporter.js';
import { RedisStore } from '../src/store/redis.js';
import { exporterConfig, httpGet } from '../tests/support/exporter-harness.js';
import { startRedisServer } from '../tests/support/redis.js';
import { startTestSim } from '../tests/support/sim-server.js';

const { values } = parseArgs({ options: { sites: { type: 'string', default: '3208' } } });
const log = createLogger({ level: 'warn', format: 'json' });
const redis = await startRedisServer();
const sim = await startTestSim({ sites: Number(values.sites), speed: 0.001 });
try {
  const groups = (await sim.get(`/api/v1/orgs/${sim.orgId}/sitegroups?limit=1000`)).json<{ name: string; site_ids: string[] }[]>();
  const region = groups.filter((g) => g.name.startsWith('Region - ')).sort((a, b) => b.site_ids.length - a.site_ids.length)[0]!;
  const scenarios: [string, Record<string, string>][] = [
    ['no filter', {}],
    [`SITE_INCLUDE=group:${region.name}`, { SITE_INCLUDE: `group:${region.name}` }],
    [`SITE_EXCLUDE=group:${region.name}`, { SITE_EXCLUDE: `group:${region.name}` }],
  ];
  const rows: string[] = [];
  for (const [i, [name, env]] of scenarios.entries()) {
    const store = new RedisStore({ url: redis.url, prefix: `bench:site-filter:${i}:` }, log);
    const config = exporterConfig(sim, { ...env, LOG_LEVEL: 'warn' });
    const prepared = await prepareCollector(config, log, { store });
    const calls = async () => (await sim.admin<{ total: number; by_route: Record<string, number> }>('GET', '/__sim/calls')).body;
    const before = await calls();
    const started = performance.now();
    const results = await new Scheduler(prepared.schedulerDeps, prepared.jobs, log).runOnce();
    const collectSeconds = (performance.now() - started) / 1000;
    if (results.some((r) => !r.ok)) throw new Error(`${name}: a cycle failed: ${JSON.stringify(results.filter((r) => !r.ok))}`);
    const after = await calls();
    const perSite = Object.entries(after.by_route).filter(([r]) => r.startsWith('/api/v1/sites/')).reduce((s, [r, n]) => s + n - (before.by_route[r] ?? 0), 0);
    await prepared.api.close();
    const renderStart = performance.now();
    const exporter = await startExporter(store, config, log);
    const renderSeconds = (performance.now() - renderStart) / 1000;
    const text = (await httpGet(`${exporter.url}/metrics`)).text;
    const series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const siteSeries = series.filter((l) => l.includes('site_id="')).length;
    const kept = /mist_collector_site_filter_sites\{[^}]*decision="included"[^}]*\} (\d+)/.exec(text)?.[1] ?? values.sites;
    rows.push(`| ${name} | ${kept} | ${series.length} | ${siteSeries} | ${(text.length / 1e6).toFixed(1)} MB | ${after.total - before.total - perSite} | ${perSite} | ${collectSeconds.toFixed(1)} s | ${renderSeconds.toFixed(1)} s |`);
    await exporter.close();
    await store.close();
  }
  console.log(`${values.sites} simulated sites, one full cycle of every family (sle-details within its budget), /metrics of one exporter:\n`);
  console.log('| scenario | sites kept | series on /metrics | of which with site_id | /metrics size | org-level calls | per-site calls (sle-details) | cycle time | exporter start (render) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  await sim.close();
  await redis.stop();
}
