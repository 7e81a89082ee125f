import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WanPortRecord } from '../../src/families/wan-ports/records.js';
import { FAMILIES, FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { catalogueEntries, SELF_FAMILY, SELF_METRICS } from '../../src/metrics/catalogue/index.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { MemoryStore } from '../../src/store/memory.js';
import {
  breakableStore, collectOnce, exporterConfig, httpGet, injectGet, measureEventLoop, metricNames, parseSamples, publishRecords, readRecords, samplesOf,
} from '../support/exporter-harness.js';
import { captureLog } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * The exporter's HTTP API over real HTTP, fed by a real collector cycle from the simulator (50 sites) into the
 * in-process store: encoding, family selection, readiness, auth, render-once caching, vanishing and expiring
 * series, and event-loop responsiveness while the 3,208-site org's WAN ports render.
 */
const FAMILY_SET = FAMILY_CATALOGUES.map((c) => c.family).join(',');
const COLLECTED = FAMILIES.map((f) => f.name).sort();
const namesOf = (family: string): Set<string> => new Set(catalogueEntries().filter((e) => e.family === family).map((e) => e.name));
const SELF_NAME = (n: string): boolean => SELF_METRICS.some((m) => m.name === n) || /^(process|nodejs)_/.test(n);

describe('exporter routes (50-site simulator, in-process store)', () => {
  let sim: TestSim;
  let store: MemoryStore;
  let flaky: ReturnType<typeof breakableStore>;
  let exporter: RunningExporter;
  let downPort: WanPortRecord;
  const { log, lines } = captureLog('debug');
  const key = (family: string) => ({ orgId: sim.orgId, family });

  beforeAll(async () => {
    sim = await startTestSim({ sites: 50 });
    // A forced failover takes one WAN port down: Mist then reports no latency/jitter/loss for it.
    const incident = await sim.admin<{ port_id: string; site_id: string }>('POST', '/__sim/incidents', { kind: 'failover', site_id: sim.sim.org.sites[0]!.id, duration_seconds: 3600 });
    await sim.admin('POST', '/__sim/advance', { seconds: 60 });
    store = new MemoryStore();
    await collectOnce(sim, store, log);
    downPort = (await readRecords<WanPortRecord>(store, key('wan-ports'))).find((p) => p.site_id === incident.body.site_id && p.port_id === incident.body.port_id)!;
    flaky = breakableStore(store);
    exporter = await startExporter(flaky.store, exporterConfig(sim), log);
  });
  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  it('serves every family as text format 0.0.4, identity-encoded when gzip is not accepted', async () => {
    const res = await injectGet(exporter, `/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    const samples = parseSamples(res.text);
    const org = sim.sim.org;
    expect(samplesOf(samples, 'mist_org_info')).toHaveLength(1);
    expect(samplesOf(samples, 'mist_site_info')).toHaveLength(org.sites.length);
    expect(samplesOf(samples, 'mist_gateway_info')).toHaveLength(org.gateways.length);
    expect(samplesOf(samples, 'mist_wan_port_up')).toHaveLength(org.wanPorts.length);
    expect(samplesOf(samples, 'mist_store_up')).toEqual([{ name: 'mist_store_up', labels: {}, value: 1 }]);
  });

  it('gzips when asked: the member inflates to the identity bytes of the families, then the self-metrics', async () => {
    const families = await httpGet(`${exporter.url}/metrics?family=${FAMILY_SET}`);
    const zipped = await httpGet(`${exporter.url}/metrics?family=${FAMILY_SET}`, { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(zipped.body.length).toBeLessThan(families.body.length / 4);
    expect(gunzipSync(zipped.body).equals(families.body)).toBe(true);

    const all = gunzipSync((await httpGet(`${exporter.url}/metrics`, { 'accept-encoding': 'br, gzip;q=0.8' })).body).toString('utf8');
    expect(all.startsWith(families.text)).toBe(true);
    const selfPart = all.slice(families.text.length);
    expect([...metricNames(selfPart)].filter((n) => !SELF_NAME(n))).toEqual([]);
    expect(metricNames(selfPart)).toContain('mist_collector_last_success_timestamp_seconds');
  });

  it('?family=wan-ports serves the WAN port metrics and nothing else', async () => {
    const res = await injectGet(exporter, `/metrics?family=wan-ports`);
    expect(res.status).toBe(200);
    const served = metricNames(res.text);
    expect([...served].filter((n) => !namesOf('wan-ports').has(n))).toEqual([]);
    expect([...served]).toEqual(expect.arrayContaining(['mist_wan_port_speed_bytes_per_second', 'mist_wan_port_up', 'mist_wan_port_receive_bytes_total', 'mist_wan_port_latency_seconds']));
    expect(res.text.split('\n').filter((l) => l !== '' && !l.includes('mist_wan_port_'))).toEqual([]);
  });

  it('?family=exporter serves only self-metrics, with freshness for every collected family', async () => {
    const text = (await injectGet(exporter, `/metrics?family=exporter`)).text;
    expect([...metricNames(text)].filter((n) => !SELF_NAME(n))).toEqual([]);
    const fresh = samplesOf(parseSamples(text), 'mist_collector_last_success_timestamp_seconds');
    expect(fresh.map((s) => s.labels.family).sort()).toEqual(COLLECTED);
    expect(metricNames(text)).toContain('process_resident_memory_bytes');
  });

  it('?family=a,b (or the parameter repeated) serves both families', async () => {
    expect(metricNames((await injectGet(exporter, `/metrics?family=org,sites`)).text)).toEqual(new Set(['mist_org_info', 'mist_site_info']));
    const repeated = (await injectGet(exporter, `/metrics?family=org&family=exporter`)).text;
    expect(metricNames(repeated)).toContain('mist_org_info');
    expect(metricNames(repeated)).toContain('mist_store_up');
    expect(metricNames(repeated)).not.toContain('mist_site_info');
  });

  it('answers an unknown family with 400 naming the known ones', async () => {
    const res = await injectGet(exporter, `/metrics?family=wan-ports,no-such-family`);
    expect(res.status).toBe(400);
    expect(res.text).toBe(`unknown family: no-such-family (known: ${[...FAMILY_SET.split(','), SELF_FAMILY].join(', ')})\n`);
  });

  it('landing page lists each family with its freshness and links to its metrics', async () => {
    const res = await injectGet(exporter, `/`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const family of COLLECTED) expect(res.text).toMatch(new RegExp(`<a href="/metrics\\?family=${family}">${family}</a></td><td>\\d+ s ago</td>`));
    for (const href of ['/metrics', '/metrics?family=exporter', '/health', '/ready']) expect(res.text).toContain(`href="${href}"`);
    expect(res.text).toContain('Store <span class="ok">reachable</span>');
  });

  it('a WAN port that reports no latency (down) has no latency, jitter or loss sample: unknown is absent', async () => {
    expect(downPort).toMatchObject({ up: false, latency_seconds: null });
    const samples = parseSamples((await injectGet(exporter, `/metrics?family=wan-ports`)).text);
    const ofPort = (name: string) => samplesOf(samples, name).filter((s) => s.labels.mac === downPort.mac && s.labels.port_id === downPort.port_id);
    expect(ofPort('mist_wan_port_up').map((s) => s.value)).toEqual([0]);
    for (const name of ['mist_wan_port_latency_seconds', 'mist_wan_port_jitter_seconds', 'mist_wan_port_loss_ratio']) expect(ofPort(name), name).toEqual([]);
    const withLatency = (await readRecords<WanPortRecord>(store, key('wan-ports'))).filter((p) => p.latency_seconds !== null);
    expect(samplesOf(samples, 'mist_wan_port_latency_seconds')).toHaveLength(withLatency.length);
    expect(withLatency.length).toBeLessThan(sim.sim.org.wanPorts.length);
  });

  it('renders a generation once: scrapes and refreshes without a store change serve the same bytes', async () => {
    const before = exporter.cache.families();
    const renderTimes = async () => samplesOf(parseSamples((await injectGet(exporter, `/metrics?family=exporter`)).text), 'mist_exporter_render_duration_seconds');
    const first = await injectGet(exporter, `/metrics?family=${FAMILY_SET}`);
    const times = await renderTimes();
    await exporter.cache.refresh();
    const second = await injectGet(exporter, `/metrics?family=${FAMILY_SET}`);
    expect(second.body.equals(first.body)).toBe(true);
    expect(await renderTimes()).toEqual(times);
    expect(times.map((t) => t.labels.family).sort()).toEqual(before.map((f) => f.family).sort());
    expect(before.map((f) => f.family)).toEqual(expect.arrayContaining(['org', 'sites', 'gateways', 'wan-ports']));
    exporter.cache.families().forEach((f, i) => expect(f.chunk, f.family).toBe(before[i]!.chunk));
  });

  it('drops the series of a WAN port that vanished from the latest generation', async () => {
    const original = await readRecords<WanPortRecord>(store, key('wan-ports'));
    const gone = original[7]!;
    try {
      await publishRecords(store, key('wan-ports'), original.filter((p) => p !== gone), 'vanished1');
      await exporter.cache.refresh();
      const samples = parseSamples((await injectGet(exporter, `/metrics`)).text);
      // The wan-ports family's series (mist_wan_port_info, _active and the bandwidths are the circuits family's,
      // which drops the port with its own next snapshot).
      const wan = samples.filter((s) => namesOf('wan-ports').has(s.name));
      expect(wan.filter((s) => s.labels.mac === gone.mac && s.labels.port_id === gone.port_id)).toEqual([]);
      expect(samplesOf(samples, 'mist_wan_port_up')).toHaveLength(original.length - 1);
      const series = samplesOf(samples, 'mist_exporter_series').find((s) => s.labels.family === 'wan-ports')!;
      expect(series.value).toBe(wan.length);
    } finally {
      await publishRecords(store, key('wan-ports'), original, 'restored1');
      await exporter.cache.refresh();
    }
  });

  it('an expired family disappears while its freshness metrics remain (snapshot_present 0)', async () => {
    const meta = (await store.readMeta(key('wan-ports')))!;
    const served = metricNames((await injectGet(exporter, `/metrics?family=wan-ports`)).text);
    const expiresAt = meta.lastSuccess! + 3 * meta.intervalSeconds! * 1000;
    vi.useFakeTimers({ toFake: ['Date'], now: expiresAt + 1_000 });
    try {
      await exporter.cache.refresh();
      const text = (await injectGet(exporter, `/metrics`)).text;
      const samples = parseSamples(text);
      expect([...metricNames(text)].filter((n) => namesOf('wan-ports').has(n))).toEqual([]);
      expect(samplesOf(samples, 'mist_gateway_up')).toHaveLength(sim.sim.org.gateways.length);
      const forFamily = (name: string, family: string) => samplesOf(samples, name).filter((s) => s.labels.family === family).map((s) => s.value);
      expect(forFamily('mist_collector_last_success_timestamp_seconds', 'wan-ports')).toEqual([meta.lastSuccess! / 1000]);
      expect(forFamily('mist_collector_snapshot_present', 'wan-ports')).toEqual([0]);
      expect(forFamily('mist_collector_snapshot_present', 'gateways')).toEqual([1]);
      expect(forFamily('mist_exporter_series', 'wan-ports')).toEqual([]);
      expect((await injectGet(exporter, `/`)).text).toMatch(/>wan-ports<\/a>.*?<td class="bad">expired<\/td>/);
    } finally {
      vi.useRealTimers();
      await exporter.cache.refresh();
    }
    expect(metricNames((await injectGet(exporter, `/metrics?family=wan-ports`)).text)).toEqual(served);
  });

  const ready = async (exp: RunningExporter) => {
    const res = await injectGet(exp, '/ready');
    return { status: res.status, ...(JSON.parse(res.text) as { problems: string[] }) };
  };

  it('/health is 200 and /ready 503 until the first data arrives, then 200', async () => {
    const empty = new MemoryStore();
    const own = await startExporter(empty, exporterConfig(sim), log, { listen: false });
    try {
      expect((await injectGet(own, `/health`)).status).toBe(200);
      expect(await ready(own)).toMatchObject({ status: 503, problems: ['no data yet'] });
      expect(metricNames((await injectGet(own, `/metrics`)).text)).not.toContain('mist_org_info');
      await collectOnce(sim, empty, log);
      await own.cache.refresh();
      expect(await ready(own)).toMatchObject({ status: 200, problems: [] });
    } finally {
      await own.close();
    }
  });

  it('with the store down: /ready 503, the last data served (mist_store_up 0) until it expires', async () => {
    const meta = (await store.readMeta(key('wan-ports')))!;
    flaky.setDown(true);
    try {
      await exporter.cache.refresh();
      expect(await ready(exporter)).toMatchObject({ status: 503, problems: ['store unreachable'] });
      expect((await injectGet(exporter, `/health`)).status).toBe(200);
      let samples = parseSamples((await injectGet(exporter, `/metrics`)).text);
      expect(samplesOf(samples, 'mist_wan_port_up')).toHaveLength(sim.sim.org.wanPorts.length);
      expect(samplesOf(samples, 'mist_store_up')[0]!.value).toBe(0);
      // Still down when the WAN ports' data expires: it is no longer served, though the store cannot say so.
      vi.useFakeTimers({ toFake: ['Date'], now: meta.lastSuccess! + 3 * meta.intervalSeconds! * 1000 + 1_000 });
      await exporter.cache.refresh();
      samples = parseSamples((await injectGet(exporter, `/metrics`)).text);
      expect(samplesOf(samples, 'mist_wan_port_up')).toEqual([]);
      expect(samplesOf(samples, 'mist_gateway_up')).toHaveLength(sim.sim.org.gateways.length);
      expect(samplesOf(samples, 'mist_collector_snapshot_present').find((s) => s.labels.family === 'wan-ports')?.value).toBe(0);
    } finally {
      vi.useRealTimers();
      flaky.setDown(false);
      await exporter.cache.refresh();
    }
    expect(await ready(exporter)).toMatchObject({ status: 200 });
    expect(samplesOf(parseSamples((await injectGet(exporter, `/metrics`)).text), 'mist_wan_port_up')).toHaveLength(sim.sim.org.wanPorts.length);
  });

  describe.each<{ name: string; env: Record<string, string>; good: string; bad: string; secrets: string[] }>([
    { name: 'bearer token', env: { EXPORTER_BEARER_TOKEN: 'scrape-secret-0123456789' }, good: 'Bearer scrape-secret-0123456789', bad: 'Bearer scrape-secret-0123456780', secrets: ['scrape-secret-0123456789'] },
    { name: 'basic auth', env: { EXPORTER_BASIC_AUTH: 'prom:pw-s3cret-basic' }, good: `Basic ${Buffer.from('prom:pw-s3cret-basic').toString('base64')}`, bad: `Basic ${Buffer.from('prom:pw-s3cret-basix').toString('base64')}`, secrets: ['pw-s3cret-basic', Buffer.from('prom:pw-s3cret-basic').toString('base64')] },
  ])('with $name configured', ({ env, good, bad, secrets }) => {
    it('/metrics needs the right credentials; /health, /ready and / stay open; credentials are never logged', async () => {
      const own = captureLog('debug');
      const secured = await startExporter(store, exporterConfig(sim, env), own.log);
      try {
        const none = await injectGet(secured, `/metrics`);
        expect(none.status).toBe(401);
        expect(none.headers['www-authenticate']).toBeDefined();
        expect(none.text).not.toContain('mist_');
        expect((await injectGet(secured, `/metrics`, { authorization: bad })).status).toBe(401);
        expect((await injectGet(secured, `/metrics`, { authorization: good.replace(/^\w+/, (s) => (s === 'Bearer' ? 'Basic' : 'Bearer')) })).status).toBe(401);
        const ok = await injectGet(secured, `/metrics?family=org`, { authorization: good });
        expect(ok.status).toBe(200);
        expect(metricNames(ok.text)).toEqual(new Set(['mist_org_info']));
        for (const path of ['/health', '/ready', '/']) expect((await injectGet(secured, path)).status, path).toBe(200);
      } finally {
        await secured.close();
      }
      expect(own.lines.some((l) => l.includes('exporter listening') && l.includes('"auth":true'))).toBe(true);
      for (const secret of secrets) expect([...own.lines, ...lines].filter((l) => l.includes(secret))).toEqual([]);
    });
  });
});

describe('exporter rendering the 3,208-site org', () => {
  let sim: TestSim;
  let exporter: RunningExporter;
  const store = new MemoryStore();
  const { log } = captureLog('warn');

  beforeAll(async () => {
    sim = await startTestSim({ sites: 3208 });
    await collectOnce(sim, store, log, FAMILIES.filter((f) => f.name === 'gateways' || f.name === 'wan-ports'));
    exporter = await startExporter(store, exporterConfig(sim), log);
  }, 120_000);
  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  it('keeps the event loop responsive while a new WAN ports generation renders', async () => {
    const key = { orgId: sim.orgId, family: 'wan-ports' };
    const records = await readRecords<WanPortRecord>(store, key);
    await publishRecords(store, key, records, 'big2');
    const before = exporter.cache.families().find((f) => f.family === 'wan-ports')!;
    // Scrapes keep coming while the refresh renders; count those answered before it ends.
    let done = false;
    const served: number[] = [];
    const loop = await measureEventLoop(async () => {
      const refreshing = exporter.cache.refresh().finally(() => void (done = true));
      while (!done) {
        const res = await injectGet(exporter, '/metrics?family=gateways');
        if (!done) served.push(res.status);
      }
      await refreshing;
    });
    const after = exporter.cache.families().find((f) => f.family === 'wan-ports')!;
    // (not `.not.toBe`: on failure-to-be vitest deep-compares the two 17 MB chunks for its message)
    expect(after.chunk === before.chunk).toBe(false);
    expect(after.series).toBeGreaterThan(80_000);
    console.log(`wan-ports refresh of ${records.length} ports (${after.series} series, ${after.chunk.body.length} bytes): ${loop.ms.toFixed(0)} ms, ` +
      `render ${(after.renderSeconds * 1000).toFixed(0)} ms; event loop: max delay ${loop.maxDelayMs.toFixed(1)} ms (histogram), ` +
      `max timer gap ${loop.maxGapMs.toFixed(1)} ms, longest main-thread CPU between ticks ${loop.maxBlockCpuMs.toFixed(1)} ms; ` +
      `${served.length} scrapes answered during the refresh`);
    // Ordering, not timing: the render runs in its worker, so scrapes are answered (from the cache) while it
    // works; a render on the serving thread would let through only the few between its awaits. (The loop's
    // numbers above are measured, not asserted: they belong to the benchmark.)
    expect(served.length).toBeGreaterThanOrEqual(5);
    expect(served.every((s) => s === 200)).toBe(true);
  });
});
