import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UID } from '../../src/dashboards/uids.js';
import { FAMILIES } from '../../src/families/registry.js';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { DOCS, LANDING_REFRESH_SECONDS } from '../../src/server/landing.js';
import { API_RATE_LIMITED, encodeLabels } from '../../src/store/counters.js';
import { MemoryStore } from '../../src/store/memory.js';
import { breakableStore, collectOnce, exporterConfig } from '../support/exporter-harness.js';
import { captureLog } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * The exporter's landing page over real HTTP, fed by a real collection from the simulator: what a NOC
 * operator reads there (the org by name, problems in plain words, dashboards and docs), that it reloads
 * itself, shows only a status word without the credentials /metrics needs, and never shows a credential.
 */
const GRAFANA = 'http://grafana.example:3000';
const DOCS_URL = 'https://example.org/mist-wan-exporter/blob/main/docs';
const BEARER = 'exporter-bearer-secret-0123456789';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** What a person sees: the text between tags (attributes, such as an id in a tooltip, are not shown). */
const visibleText = (html: string): string => html.replace(/<style>[\s\S]*?<\/style>/g, '').replace(/<[^>]*>/g, ' ')
  .replace(/&#39;/g, '\'').replace(/&#34;/g, '"').replace(/\s+/g, ' ').replace(/ ([:,.;)])/g, '$1');

describe('landing page (real HTTP, 20-site simulator)', () => {
  let sim: TestSim;
  let store: MemoryStore;
  let flaky: ReturnType<typeof breakableStore>;
  let exporter: RunningExporter;
  const { log } = captureLog('warn');
  const page = async (): Promise<{ status: number; html: string; headers: Headers }> => {
    await exporter.cache.refresh();
    const res = await fetch(`${exporter.url}/`, { headers: { authorization: `Bearer ${BEARER}` } });
    return { status: res.status, html: await res.text(), headers: res.headers };
  };

  beforeAll(async () => {
    sim = await startTestSim({ sites: 20 });
    store = new MemoryStore();
    await collectOnce(sim, store, log);
    await store.putTokenUsage([{ fingerprint: tokenFingerprint(sim.token), used: 120, limit: 5000, coolingUntil: 0 }], Date.now());
    flaky = breakableStore(store);
    exporter = await startExporter(flaky.store, exporterConfig(sim, { GRAFANA_URL: `${GRAFANA}/`, DOCS_URL, EXPORTER_BEARER_TOKEN: BEARER }), log);
  }, 60_000);
  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  it('names the org, says all is good, lists every family by name (no id-only rows) and reloads itself', async () => {
    const { status, html, headers } = await page();
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
    const orgName = sim.sim.org.name;
    expect(orgName).not.toMatch(UUID);
    expect(visibleText(html)).toContain(orgName);
    expect(html).toMatch(/<h1>[^<]+ <small>mist-wan-exporter /);
    expect(visibleText(html.match(/<h1>.*?<\/h1>/)![0])).toContain(orgName);
    expect(html).toContain(`<meta http-equiv="refresh" content="${LANDING_REFRESH_SECONDS}">`);
    expect(visibleText(html)).toMatch(/All good: 10 families fresh, [\d,]+ series served/);
    for (const f of FAMILIES) expect(html).toContain(`<a href="/metrics?family=${f.name}">${f.name}</a>`);
    expect(visibleText(html)).not.toMatch(UUID);
  });

  it('links every dashboard into Grafana and the runbooks and other docs, each of which exists', async () => {
    const { html } = await page();
    for (const uid of Object.values(UID)) expect(html).toContain(`href="${GRAFANA}/d/${uid}"`);
    for (const [file] of DOCS) {
      expect(existsSync(new URL(`../../docs/${file}`, import.meta.url)), file).toBe(true);
      expect(html).toContain(`href="${DOCS_URL}/${file}"`);
    }
  });

  it('without the bearer token /metrics needs: 200 with the status word only (no org); with it, never shows it', async () => {
    expect((await fetch(`${exporter.url}/metrics`)).status).toBe(401);
    const open = await fetch(`${exporter.url}/`);
    const locked = await open.text();
    expect(open.status).toBe(200);
    expect(visibleText(locked)).toContain('Status: ok');
    expect(locked).not.toContain(sim.sim.org.name);
    expect(locked).not.toMatch(UUID);
    const { status, html } = await page();
    expect(status).toBe(200);
    expect(html).not.toContain(BEARER);
    expect(html).not.toContain(sim.token);
  });

  it('says what is wrong in plain language: a failing family, a token near its budget and rate-limited (credentials redacted)', async () => {
    const family = FAMILIES[3]!.name;
    const fp = tokenFingerprint(sim.token);
    await store.recordFailure({ orgId: sim.orgId, family }, Date.now(), `E_MIST_HTTP: 502 from upstream (sent ${BEARER})`, 1200);
    await store.putTokenUsage([{ fingerprint: fp, used: 4700, limit: 5000, coolingUntil: Date.now() + 90_000 }], Date.now());
    await store.incrementCounters(API_RATE_LIMITED, { [encodeLabels({ token_fingerprint: fp })]: 3 });
    try {
      const { html } = await page();
      const text = visibleText(html);
      expect(text).toContain('3 problems');
      expect(text).toContain(`Collecting ${family} is failing: "E_MIST_HTTP: 502 from upstream (sent [REDACTED])". Last success `);
      expect(text).toContain('the last good data is still served.');
      expect(text).toContain(`Token ${fp} has used 94% of its hourly Mist API budget (4,700 of 5,000 calls this hour): near exhaustion`);
      expect(text).toMatch(new RegExp(`Mist is rate-limiting token ${fp} \\(HTTP 429\\): it cools down for another (89|90) s; collection slows until then \\(3 429 answers counted in all\\)`));
      expect(html).not.toContain(BEARER);
    } finally {
      await collectOnce(sim, store, log, [FAMILIES[3]!]);
      await store.putTokenUsage([{ fingerprint: fp, used: 130, limit: 5000, coolingUntil: 0 }], Date.now());
    }
  }, 60_000);

  it('says when the store cannot be read, and keeps answering', async () => {
    flaky.setDown(true);
    try {
      const { status, html } = await page();
      expect(status).toBe(200);
      expect(visibleText(html)).toMatch(/Critical: The store \(Redis\) cannot be read: last successful read \d+ s ago\. The exporter keeps serving what it had/);
      expect(html).toContain('Store <span class="bad">unreachable</span>');
    } finally {
      flaky.setDown(false);
    }
    expect(visibleText((await page()).html)).toContain('All good');
  });
});
