import { Redis } from 'ioredis';
import { FAMILIES } from '../../src/families/registry.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { httpGet, parseSamples } from '../support/exporter-harness.js';
import { startPrometheus, scrapeJob, type PrometheusServer } from '../support/prometheus.js';
import { freePort } from '../support/redis.js';
import { deleteKeys, uniquePrefix } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * Every part real: the simulator over HTTP → `collector` (child process) → Redis → `exporter` (child process,
 * no Mist token) → Prometheus scraping every 2 s with a bearer token, all of /metrics and, as a sharded job,
 * ?family=wan-ports. What Prometheus stores matches what the simulated org has.
 */
const SCRAPE_TOKEN = 'prometheus-scrape-token-5f3a9c';
const COLLECTED = FAMILIES.map((f) => f.name).sort();

describe('a real Prometheus scraping the exporter fed by the collector through Redis (300 sites)', () => {
  let sim: TestSim;
  let prom: PrometheusServer | undefined;
  let collector: CliProcess;
  let exporter: CliProcess;
  let exporterUrl: string;
  const redis = new Redis(inject('redisUrl'), { lazyConnect: true });
  const prefix = uniquePrefix('prom-scrape');
  let counts: { sites: number; gateways: number; wan_ports: number };
  const value = async (expr: string): Promise<number | undefined> => (await prom!.query(expr))[0]?.value;

  beforeAll(async () => {
    sim = await startTestSim({ sites: 300 });
    counts = (await sim.admin<{ counts: typeof counts }>('GET', '/__sim/org')).body.counts;
    const store = { REDIS_URL: inject('redisUrl'), STORE_KEY_PREFIX: prefix, LOG_LEVEL: 'info' };
    collector = spawnCli(['collector'], { ...store, MIST_API_TOKENS: sim.token, MIST_HOST: sim.url });
    const port = await freePort();
    exporter = spawnCli(['exporter'], {
      ...store, EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(port), EXPORTER_REFRESH_SECONDS: '1', EXPORTER_BEARER_TOKEN: SCRAPE_TOKEN,
    });
    await exporter.waitForLine(/serving http:\/\/127\.0\.0\.1:\d+\/metrics/);
    exporterUrl = `http://127.0.0.1:${port}`;
    const auth = { authorization: { type: 'Bearer', credentials: SCRAPE_TOKEN } };
    prom = await startPrometheus({
      config: {
        global: { scrape_interval: '2s', evaluation_interval: '2s' },
        scrape_configs: [
          scrapeJob('mist', `127.0.0.1:${port}`, { interval: '2s', timeout: '2s', extra: auth }),
          scrapeJob('mist-wan-ports', `127.0.0.1:${port}`, { interval: '2s', timeout: '2s', params: { family: ['wan-ports'] }, extra: auth }),
        ],
      },
    });
    await prom.waitForTargetsUp({ count: 2 });
    // The collector's first cycle of every family, then one exporter refresh and one scrape, has landed.
    await prom.waitFor('count(mist_collector_snapshot_present{job="mist"} == 1)', (s) => s[0]?.value === COLLECTED.length, 45_000);
    await prom.waitFor('count(mist_wan_port_up{job="mist-wan-ports"})', (s) => s[0]?.value === counts.wan_ports, 10_000);
  }, 90_000);

  afterAll(async () => {
    const stops = [prom?.stop(), exporter?.kill('SIGTERM'), collector?.kill('SIGTERM')];
    // A process that ignores SIGTERM is killed after 5 s.
    const hard = setTimeout(() => void Promise.all([exporter?.kill('SIGKILL'), collector?.kill('SIGKILL')]), 5_000);
    await Promise.allSettled(stops);
    clearTimeout(hard);
    await redis.connect().then(() => deleteKeys(redis, prefix)).finally(() => redis.disconnect());
    await sim?.close();
  }, 30_000);

  it('scrapes the exporter successfully (up == 1 for both jobs) with the configured bearer token', async () => {
    expect(await prom!.query('up')).toEqual(expect.arrayContaining([
      expect.objectContaining({ metric: expect.objectContaining({ job: 'mist' }), value: 1 }),
      expect.objectContaining({ metric: expect.objectContaining({ job: 'mist-wan-ports' }), value: 1 }),
    ]));
    expect((await httpGet(`${exporterUrl}/metrics`)).status).toBe(401);
  });

  it('stores one series per org, site, gateway and WAN port of the simulated org', async () => {
    expect(await value('count(mist_org_info{job="mist"})')).toBe(1);
    expect(await value('count(mist_site_info{job="mist"})')).toBe(counts.sites);
    expect(await value('count(mist_gateway_info{job="mist"})')).toBe(counts.gateways);
    expect(await value('count(mist_gateway_up{job="mist"})')).toBe(counts.gateways);
    expect(await value('count(mist_wan_port_info{job="mist"})')).toBe(counts.wan_ports);
    expect(await value('count(mist_wan_port_up{job="mist"})')).toBe(counts.wan_ports);
    expect(await value('count(mist_wan_port_receive_bytes_total{job="mist"})')).toBe(counts.wan_ports);
    expect(counts).toMatchObject({ sites: 300, wan_ports: sim.sim.org.wanPorts.length, gateways: sim.sim.org.gateways.length });
  });

  it('scrape_samples_scraped matches the series Prometheus stored and the series the exporter reports', async () => {
    // Every sample of the last scrape became a series (nothing dropped or duplicated); 5 synthetic series besides.
    await prom!.waitFor('scrape_samples_scraped{job="mist"} - on() count({job="mist", __name__!~"up|scrape_.+"})', (s) => s[0]?.value === 0, 10_000);
    // The sharded job gets exactly the WAN port series the exporter says it serves for that family.
    const served = await value('mist_exporter_series{job="mist", family="wan-ports"}');
    expect(served).toBeGreaterThan(10 * counts.wan_ports);
    expect(await value('scrape_samples_scraped{job="mist-wan-ports"}')).toBe(served);
    expect(await value('count({job="mist-wan-ports", __name__=~"mist_wan_port_.+"})')).toBe(served);
    const families = await value('sum(mist_exporter_series{job="mist"})');
    expect(await value('scrape_samples_scraped{job="mist"}')).toBeGreaterThan(families!);
  });

  it('exports the collector\'s freshness for every family and the exporter\'s own health', async () => {
    const fresh = await prom!.query('mist_collector_last_success_timestamp_seconds{job="mist"}');
    expect(fresh.map((s) => s.metric.family).sort()).toEqual(COLLECTED);
    for (const s of fresh) {
      expect(s.metric.org_id).toBe(sim.orgId);
      expect(Math.abs(s.value - Date.now() / 1000)).toBeLessThan(600);
    }
    expect(await value('mist_store_up{job="mist"}')).toBe(1);
    expect(await value('mist_exporter_build_info{job="mist"}')).toBe(1);
    expect(await value('count(mist_api_requests_total{job="mist"} > 0)')).toBeGreaterThan(0);
    expect(await value('process_resident_memory_bytes{job="mist"}')).toBeGreaterThan(0);
  });

  it('neither process logs the scrape token or the Mist token', async () => {
    const self = parseSamples((await httpGet(`${exporterUrl}/metrics?family=exporter`, { authorization: `Bearer ${SCRAPE_TOKEN}` })).text);
    expect(self.find((s) => s.name === 'mist_store_up')?.value).toBe(1);
    expect([...exporter.lines, ...collector.lines].filter((l) => l.includes(SCRAPE_TOKEN) || l.includes(sim.token))).toEqual([]);
    expect(exporter.lines.some((l) => /exporter listening/.test(l))).toBe(true);
  });

  it('both processes exit 0 on SIGTERM (runs last: it stops them)', async () => {
    expect(await exporter.kill('SIGTERM')).toBe(0);
    expect(await collector.kill('SIGTERM')).toBe(0);
  });
});
