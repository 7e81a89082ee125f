import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILY_NAMES } from '../../src/families/registry.js';
import { CONTENT_TYPE } from '../../src/metrics/exposition.js';
import { scrapeJob, startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { expositionProblems, runPipeline, samplesOf, type PipelineRun } from './input-support.js';

/**
 * Bad input, hostile names, through the whole collector path: the recorded Mist bodies of every family
 * (tests/fixtures/mist/pipeline) with every free-text field — site, site group, gateway, WAN, VPN router, SLE
 * classifier, interface and switch names, models, versions, serials, addresses, timezones, alarm types and
 * groups, event texts — replaced by hostile strings (quotes, backslashes, line breaks, CR, emoji, 1 KB names,
 * empty, label-syntax look-alikes), every site sharing one name (duplicates), each hostile name given to some text
 * that is a label. Then the real client, mapping, store and renderer, and the text must be well formed (strict
 * reading), accepted by promtool, and scraped by a real Prometheus with every name back exactly.
 * tests/integration/prometheus-escaping.test.ts feeds stored records straight to the renderer; this feeds Mist JSON.
 */

const ONE_KB = 'Ω'.repeat(512); // 1,024 bytes in UTF-8
const HOSTILE = [
  'O\'Hare "Plaza"', 'back\\slash', 'line\nbreak', 'crlf\r\nend', '', ' ', '"', '\\', '\\n (not a newline)', '\\"', 'a},b="c',
  '🛰️ Zürich 👩‍👩‍👧', 'x'.repeat(1024), ONE_KB, '日本語のサイト', '\u2028 line separator \u2029', 'tab\there', '{{ .Labels.site }}', '%s %d ${x}',
  'trailing backslash \\', '# HELP not a comment', 'mist_site_info{site_id="x"} 1',
];
/** Keys of Mist JSON that hold free text (never ids, macs, port ids or enum values the families branch on). */
const TEXT_KEYS = new Set([
  'name', 'address', 'timezone', 'country_code', 'model', 'serial', 'version', 'wan_name', 'router_name', 'peer_router_name', 'device_name',
  'site_name', 'text', 'gateway_name', 'gateway_model', 'gateway_version', 'switch_name', 'network_name',
]);
/** Alarm type and group become counter labels (encoded in store field names): hostile there too. */
const ALARM_KEYS = new Set(['type', 'group']);

/** Every site of the sites fixture gets this one name: two sites sharing a name. */
const SITE_NAME = HOSTILE[0]!;
/** Label values of the unmodified fixtures' run: the originals that come out as labels. */
const baselineLabels = new Set<string>();
const stripRegion = (s: string): string => s.replace(/^Region - /, '');

/**
 * Original text → hostile name, the same wherever the text appears (a gateway's name in the inventory, its stats
 * and its events). Texts that were label values in the plain run take the names in turn first, so every hostile
 * name lands in some label; other texts (addresses, event texts…) take them in turn too.
 */
const assigned = new Map<string, string>();
const turns = { label: 0, other: 0 };
function hostile(endpoint: string, field: string, original: string): string {
  let name = endpoint === 'sites' && field === 'name' ? SITE_NAME : assigned.get(original);
  if (name === undefined) {
    const turn = baselineLabels.has(stripRegion(original)) ? 'label' : 'other';
    name = HOSTILE[turns[turn]++ % HOSTILE.length]!;
    assigned.set(original, name);
  }
  // Region site groups keep their prefix, so regions are hostile too (REGION_GROUP_PREFIX "Region - ").
  return original.startsWith('Region - ') ? `Region - ${name}` : name;
}

/** Rewrites the free-text fields of a body; `sle.name` of an SLE trend is the SLE metric's id (wan-link-health), not text. */
function rewrite(node: unknown, endpoint: string, keys: ReadonlySet<string>, parent = ''): unknown {
  if (Array.isArray(node)) return node.map((v) => rewrite(v, endpoint, keys, parent));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [
    k, typeof v === 'string' && keys.has(k) && parent !== 'sle' ? hostile(endpoint, k, v) : rewrite(v, endpoint, keys, k),
  ]));
}

const runs = new Map<string, PipelineRun>();
let server: Server;
let prom: PrometheusServer;
let body = '';
let series = 0;

beforeAll(async () => {
  for (const family of FAMILY_NAMES) {
    const plain = await runPipeline(family);
    for (const s of samplesOf(plain.rendered?.text ?? '')) for (const v of s.labels.values()) baselineLabels.add(v);
  }
  for (const family of FAMILY_NAMES) {
    runs.set(family, await runPipeline(family, (endpoint, json) => JSON.stringify(
      rewrite(json, endpoint, endpoint === 'alarms_search' ? new Set([...TEXT_KEYS, ...ALARM_KEYS]) : TEXT_KEYS),
    )));
  }
  // Families have disjoint metric names: their texts concatenate into one exposition, as /metrics serves them.
  body = [...runs.values()].map((r) => r.rendered?.text ?? '').join('');
  series = [...runs.values()].reduce((n, r) => n + (r.rendered?.series ?? 0), 0);
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': CONTENT_TYPE });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  prom = await startPrometheus({ config: { global: { scrape_interval: '1s' }, scrape_configs: [scrapeJob('hostile', `127.0.0.1:${(server.address() as AddressInfo).port}`)] } });
}, 90_000);

afterAll(async () => {
  await prom?.stop();
  if (server) await new Promise((resolve) => server.close(resolve));
});

describe('hostile names from Mist JSON reach /metrics escaped', () => {
  it.each(FAMILY_NAMES.map((f) => [f]))('%s: every cycle ok, nothing unreadable, well-formed exposition', (family) => {
    const run = runs.get(family)!;
    expect(run.results.filter((r) => !r.result.ok).map((r) => `${r.family}: ${r.result.error}`)).toEqual([]);
    expect(run.rendered, `${family} rendered nothing`).not.toBeNull();
    expect(run.rendered!.invalid).toBe(0);
    expect(run.rendered!.series).toBeGreaterThan(0);
    expect(expositionProblems(run.rendered!.text)).toEqual([]);
  });

  it('every hostile name comes out as a label value, exactly, and every text that was a label became its hostile name', () => {
    const values = new Set(samplesOf(body).flatMap((s) => [...s.labels.values()]));
    expect(HOSTILE.filter((h) => !values.has(h)).map((h) => JSON.stringify(h).slice(0, 60))).toEqual([]);
    const labelled = [...assigned].filter(([original]) => baselineLabels.has(stripRegion(original)));
    expect(labelled.length).toBeGreaterThanOrEqual(HOSTILE.length);
    // A text that was a label and is now missing as its hostile name would be a lost or mangled label.
    const lost = labelled.filter(([, name]) => !values.has(name));
    expect(lost.map(([o, n]) => `${o} → ${JSON.stringify(n).slice(0, 60)}`)).toEqual([]);
  });

  it('two sites sharing one hostile name are both rendered (names are not identities)', () => {
    const sites = samplesOf(runs.get('sites')!.rendered!.text).filter((s) => s.name === 'mist_site_info');
    const plain = sites.length;
    const byName = new Map<string, string[]>();
    for (const s of sites) byName.set(s.labels.get('site_name')!, [...(byName.get(s.labels.get('site_name')!) ?? []), s.labels.get('site_id')!]);
    const shared = byName.get(SITE_NAME);
    expect(shared, 'two sites with one name').toBeDefined();
    expect(shared!.length).toBeGreaterThanOrEqual(2);
    expect(new Set(shared).size).toBe(shared!.length);
    expect(plain).toBeGreaterThanOrEqual(2);
  });

  it('promtool check metrics accepts the whole text with no finding', () => {
    const res = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(res.error, 'promtool missing: run scripts/ensure-test-services.sh').toBeUndefined();
    expect({ status: res.status, out: res.stdout + res.stderr }).toEqual({ status: 0, out: '' });
  });

  it('a real Prometheus scrapes every sample and returns every hostile name exactly', async () => {
    await prom.waitForTargetsUp();
    const [up] = await prom.waitFor('up{job="hostile"}', (s) => s.length === 1 && s[0]!.value === 1);
    expect(up!.value).toBe(1);
    const [scraped] = await prom.waitFor('scrape_samples_scraped{job="hostile"}', (s) => s.length === 1);
    expect(scraped!.value).toBe(series);
    const stored = await prom.waitFor('{job="hostile",__name__=~"mist_.+"}', (s) => s.length === series);
    const values = new Set(stored.flatMap((s) => Object.values(s.metric)));
    // Every hostile label value of the text, back from Prometheus. It drops labels whose value is empty: "" is the
    // one name that cannot come back.
    const local = new Set(samplesOf(body).flatMap((s) => [...s.labels.values()]));
    const expected = [...local].filter((v) => v !== '' && HOSTILE.includes(v));
    expect(expected.length).toBe(HOSTILE.length - 1);
    const missing = expected.filter((n) => !values.has(n));
    expect(missing.map((m) => JSON.stringify(m).slice(0, 60))).toEqual([]);
    // A selector with each hostile label value finds its series (the string survives the round trip both ways).
    const pairs = new Set(samplesOf(body).flatMap((s) => [...s.labels].filter(([, v]) => v !== '' && HOSTILE.includes(v)).map((p) => JSON.stringify(p))));
    expect(pairs.size).toBeGreaterThanOrEqual(HOSTILE.length - 1);
    for (const pair of pairs) {
      const [label, value] = JSON.parse(pair) as [string, string];
      const [named] = await prom.query(`count({job="hostile",${label}=${JSON.stringify(value)}})`);
      expect(named?.value ?? 0, pair).toBeGreaterThan(0);
    }
    console.log(`hostile names: ${series} series of ${FAMILY_NAMES.length} families scraped, ${expected.length} hostile label values back exactly, ${pairs.size} selectors matched`);
  }, 30_000);
});
