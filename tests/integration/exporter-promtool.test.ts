import { spawn } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { catalogueEntries, SELF_FAMILY } from '../../src/metrics/catalogue/index.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { MemoryStore } from '../../src/store/memory.js';
import { collectOnce, exporterConfig, httpGet, injectGet, metricNames } from '../support/exporter-harness.js';
import { captureLog } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * `promtool check metrics` (client_golang's promlint) on what the exporter really serves: a 300-site
 * simulator, one collector cycle into the in-process store, the exporter on an ephemeral port. Zero findings,
 * for the whole exposition and for each ?family= shard.
 */

/** Pipes text into `promtool check metrics`; a missing promtool is a failure, never a skip. */
function promtool(text: Buffer | string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => reject(new Error(`cannot run promtool (${err.message}); install it with scripts/ensure-test-services.sh`)));
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

const FAMILIES = [...FAMILY_CATALOGUES.map((c) => c.family), SELF_FAMILY];
const namesOf = (family: string): string[] => catalogueEntries().filter((e) => e.family === family).map((e) => e.name);

describe('promtool check metrics on the real exposition (300-site simulator)', () => {
  let sim: TestSim;
  let exporter: RunningExporter;
  const { log } = captureLog('warn');

  beforeAll(async () => {
    sim = await startTestSim({ sites: 300 });
    const store = new MemoryStore();
    await collectOnce(sim, store, log);
    exporter = await startExporter(store, exporterConfig(sim), log);
  }, 60_000);
  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  it('finds nothing in /metrics (identity), which holds every family and the self-metrics', async () => {
    const res = await injectGet(exporter, '/metrics');
    expect(res.status).toBe(200);
    const names = metricNames(res.text);
    // A family's first metric: its first gauge, or its first counter (events renders counters only).
    for (const family of FAMILY_CATALOGUES) expect(names, family.family).toContain((family.groups[0]?.metrics[0] ?? family.counters?.[0])!.name);
    expect(names).toContain('mist_exporter_build_info');
    expect(names).toContain('process_cpu_user_seconds_total');
    expect(res.text.split('\n').filter((l) => l.startsWith('mist_site_info{'))).toHaveLength(300);
    expect(await promtool(res.body)).toEqual({ code: 0, output: '' });
  });

  it('finds nothing in the gzip-encoded /metrics once decoded', async () => {
    // Real HTTP: the gzip member as it travels on the wire.
    const res = await httpGet(`${exporter.url}/metrics`, { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    const text = gunzipSync(res.body);
    expect(text.length).toBeGreaterThan(res.body.length);
    expect(await promtool(text)).toEqual({ code: 0, output: '' });
  });

  it.each(FAMILIES)('finds nothing in /metrics?family=%s, which holds only that family', async (family) => {
    const res = await injectGet(exporter, `/metrics?family=${family}`);
    expect(res.status).toBe(200);
    const own = new Set(namesOf(family));
    const names = [...metricNames(res.text)];
    expect(names.length).toBeGreaterThan(0);
    const foreign = names.filter((n) => !own.has(n) && !(family === SELF_FAMILY && /^(process|nodejs)_/.test(n)));
    expect(foreign).toEqual([]);
    expect(await promtool(res.body)).toEqual({ code: 0, output: '' });
  });

  it('reports findings for a bad exposition (the check is live)', async () => {
    const bad = '# HELP mist_wan_latency_ms x\n# TYPE mist_wan_latency_ms gauge\nmist_wan_latency_ms{siteId="a"} 1\n';
    const result = await promtool(bad);
    expect(result.code).toBe(3);
    expect(result.output).toMatch(/abbreviated units/);
    expect(result.output).toMatch(/snake_case/);
  });
});
