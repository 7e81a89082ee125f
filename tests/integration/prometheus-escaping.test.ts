import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CircuitRecord } from '../../src/families/circuits/records.js';
import type { GatewayRecord } from '../../src/families/gateways/records.js';
import type { OrgRecord } from '../../src/families/org/records.js';
import type { SiteRecord } from '../../src/families/sites/records.js';
import type { WanPortRecord } from '../../src/families/wan-ports/records.js';
import { circuitsCatalogue } from '../../src/families/circuits/catalogue.js';
import { gatewaysCatalogue } from '../../src/families/gateways/catalogue.js';
import { orgCatalogue } from '../../src/families/org/catalogue.js';
import { sitesCatalogue } from '../../src/families/sites/catalogue.js';
import { wanPortsCatalogue } from '../../src/families/wan-ports/catalogue.js';
import { CONTENT_TYPE, renderFamily } from '../../src/metrics/exposition.js';
import { assembleGzip, compressChunkSync, type Chunk } from '../../src/metrics/gzip.js';
import { scrapeJob, startPrometheus, type PromSample, type PrometheusServer } from '../support/prometheus.js';

/**
 * Label-escaping torture in a real Prometheus (Debian 2.42): records with quotes, backslashes, newlines,
 * unicode and empty values are rendered by renderFamily, served gzip-assembled from per-family chunks (as the
 * exporter does), scraped, and read back through the query API: every label value must come back exactly.
 */
const NASTY = [
  'Zürich ☃', 'O\'Hare "Plaza"', 'back\\slash', 'line\nbreak', '',
  'trailing backslash \\', '\\"', '\\n (backslash n, not a newline)', '"', '\n', '\\',
  'a},b="c', 'tab\there', 'carriage\rreturn', ' padded ', '🛰️ satellite 👩‍👩‍👧', 'e\u0301 vs é (not normalised)',
  'ﬁ ligature, ß, İ, Ω', 'nul\u0000byte', 'del\u007f', 'bom\ufeff', '日本語のサイト', 'مرحبا', '{{ template }}', '%s %d $1 ${x}', `${'long '.repeat(1000)}end`,
  // Not encodable in UTF-8: Buffer.from writes U+FFFD, so this one comes back well-formed (see its own test).
  'lone \ud800 surrogate',
];
/** What Prometheus must return: the string itself (only a lone surrogate becomes U+FFFD). */
const expected = (s: string): string => s.toWellFormed();
const ORG = 'org-escaping';
const site = (i: number): string => `site-${String(i).padStart(3, '0')}`;

function records() {
  const sites: SiteRecord[] = NASTY.map((name, i) => ({
    site_id: site(i), name, region: [...name].reverse().join(''), sitegroups: [], country_code: name, timezone: null, address: null, latitude: null, longitude: null,
  }));
  const gateways: GatewayRecord[] = NASTY.map((name, i) => ({
    mac: `0200000000${String(i).padStart(2, '0')}`, id: null, site_id: site(i), name, model: name, version: name, serial: name, status: 'connected',
    connected: true, uptime_seconds: null, boot_time_seconds: null, last_seen_seconds: null, cpu_ratio: null, memory_ratio: null, is_ha: false, wan_interfaces: [],
  }));
  const ports: WanPortRecord[] = NASTY.map((name, i) => ({
    site_id: site(i), mac: '020000000000', port_id: `ge-0/0/${i}`, wan_name: name, wan_type: name, up: true, disabled: null, speed_bytes_per_second: null,
    rx_bytes: null, tx_bytes: null, rx_packets: null, tx_packets: null, last_flapped_seconds: null,
    jitter_seconds: null, latency_seconds: null, loss_ratio: null,
  }));
  const circuits: CircuitRecord[] = ports.map((p) => ({
    kind: 'circuit', site_id: p.site_id, mac: p.mac, port_id: p.port_id, wan_name: p.wan_name, wan_type: p.wan_type, role: 'primary', active: true,
    receive_bandwidth_bytes_per_second: null, transmit_bandwidth_bytes_per_second: null, bandwidth_source: 'inventory', provider: p.wan_name, circuit_id: p.wan_name,
  }));
  const orgs: OrgRecord[] = [{ org_id: ORG, name: NASTY.join(' | ') }];
  return { sites, gateways, ports, circuits, orgs };
}

/** Prometheus drops a label whose value is empty: absent and "" are the same series. */
const label = (s: PromSample, name: string): string => s.metric[name] ?? '';

describe('label escaping survives a real Prometheus scrape', () => {
  let server: Server;
  let prom: PrometheusServer;
  let series = 0;
  const served = { gzip: 0, identity: 0 };

  beforeAll(async () => {
    const r = records();
    const rendered = await Promise.all([
      renderFamily(orgCatalogue, [{ orgId: ORG, records: r.orgs }]),
      renderFamily(sitesCatalogue, [{ orgId: ORG, records: r.sites }]),
      renderFamily(gatewaysCatalogue, [{ orgId: ORG, records: r.gateways }]),
      renderFamily(wanPortsCatalogue, [{ orgId: ORG, records: r.ports }]),
      renderFamily(circuitsCatalogue, [{ orgId: ORG, records: r.circuits }]),
    ]);
    for (const f of rendered) expect(f.invalid).toBe(0);
    series = rendered.reduce((n, f) => n + f.series, 0);
    const chunks: Chunk[] = rendered.map((f) => compressChunkSync(Buffer.from(f.text)));
    server = createServer((req, res) => {
      const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      served[gzip ? 'gzip' : 'identity'] += 1;
      res.writeHead(200, { 'content-type': CONTENT_TYPE, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
      res.end(gzip ? assembleGzip(chunks) : Buffer.concat(chunks.map((c) => c.body)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    prom = await startPrometheus({ config: { global: { scrape_interval: '1s' }, scrape_configs: [scrapeJob('escaping', target)] } });
    await prom.waitForTargetsUp();
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('scrapes every sample (up == 1, scrape_samples_scraped == rendered series), gzip-encoded', async () => {
    const [up] = await prom.waitFor('up{job="escaping"}', (s) => s.length === 1);
    expect(up!.value).toBe(1);
    const [scraped] = await prom.query('scrape_samples_scraped{job="escaping"}');
    expect(scraped!.value).toBe(series);
    expect(served.gzip).toBeGreaterThan(0);
  });

  it('returns every site name, region and country code exactly as given', async () => {
    const samples = await prom.waitFor('mist_site_info', (s) => s.length === NASTY.length);
    const bySite = new Map(samples.map((s) => [s.metric.site_id!, s]));
    NASTY.forEach((name, i) => {
      const s = bySite.get(site(i))!;
      expect({ name: label(s, 'site_name'), region: label(s, 'region'), country: label(s, 'country_code') }, JSON.stringify(name))
        .toEqual({ name: expected(name), region: expected([...name].reverse().join('')), country: expected(name) });
    });
  });

  it('returns every gateway name, model, version and serial, and every WAN name, type, provider and circuit id, exactly', async () => {
    const gateways = await prom.waitFor('mist_gateway_info', (s) => s.length === NASTY.length);
    const bySite = new Map(gateways.map((s) => [s.metric.site_id!, s]));
    const ports = await prom.waitFor('mist_wan_port_info', (s) => s.length === NASTY.length);
    const byPort = new Map(ports.map((s) => [s.metric.port_id!, s]));
    NASTY.forEach((name, i) => {
      const g = bySite.get(site(i))!;
      expect(['gateway_name', 'model', 'version', 'serial'].map((l) => label(g, l)), JSON.stringify(name)).toEqual(Array(4).fill(expected(name)));
      const p = byPort.get(`ge-0/0/${i}`)!;
      expect(['wan_name', 'wan_type', 'provider', 'circuit_id'].map((l) => label(p, l)), JSON.stringify(name)).toEqual(Array(4).fill(expected(name)));
    });
  });

  it('returns the org name holding all of them at once', async () => {
    const [org] = await prom.waitFor('mist_org_info', (s) => s.length === 1);
    expect(org!.metric.org_name).toBe(expected(NASTY.join(' | ')));
  });

  it('returns a lone UTF-16 surrogate as U+FFFD, without failing the scrape', async () => {
    const i = NASTY.findIndex((n) => !n.isWellFormed());
    const [s] = await prom.waitFor(`mist_site_info{site_id="${site(i)}"}`, (r) => r.length === 1);
    expect(s!.metric.site_name).toBe('lone \ufffd surrogate');
  });

  it('drops labels with empty values, as Prometheus does (absent and "" are the same series)', async () => {
    const samples = await prom.waitFor(`mist_site_info{site_id="${site(NASTY.indexOf(''))}"}`, (s) => s.length === 1);
    expect(samples[0]!.metric).not.toHaveProperty('site_name');
    expect(samples[0]!.metric).not.toHaveProperty('timezone');
  });

  it('matches a nasty value in a PromQL selector (the string survives the round trip both ways)', async () => {
    const quoted = JSON.stringify('O\'Hare "Plaza"');
    const samples = await prom.query(`mist_site_info{site_name=${quoted}}`);
    expect(samples.map((s) => s.metric.site_id)).toEqual([site(1)]);
  });
});
