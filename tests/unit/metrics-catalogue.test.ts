import { describe, expect, it } from 'vitest';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { catalogueEntries, SELF_FAMILY, SELF_METRICS, type CatalogueEntry } from '../../src/metrics/catalogue/index.js';
import type { MetricUnit } from '../../src/metrics/types.js';

/**
 * The catalogue held to ../shared/docs/exporter-guidelines.md (and to what promtool's promlint flags). Each rule
 * is also run against a deliberately bad entry, so a rule that cannot fail is itself a test failure.
 */

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
/** Where a family metric's value comes from in Mist: an API path or a named field. */
const MIST_SOURCE = /\/api\/v1\/|\bstats\/[a-z_]+|\bfields? [a-z_][a-z0-9_.]*/;
/** Where a self-metric's value comes from: the store, the collector's reports, or the exporter itself. */
const SELF_SOURCE = /\b(store|collector|exporter)\b/i;
const TARGET_LABELS = ['env', 'environment', 'cluster', 'instance', 'job'];
const RESERVED_LABELS = ['le', 'quantile', 'type'];
/** promlint: reserved histogram/summary suffixes, type names, abbreviated or non-base units. */
const BAD_NAME_PARTS = /_(bucket|count|sum|gauge|counter|ms|s|us|ns|sec|secs|b|kb|mb|gb|bits|bps|percent|pct|minutes|hours|days)(_total)?$/;

/** Required name endings per unit (after any `_total`); units not listed carry no suffix rule. */
const SUFFIX_OF: Partial<Record<MetricUnit, RegExp>> = {
  seconds: /(?<!_timestamp)_seconds$/,
  timestamp: /_timestamp_seconds$/,
  bytes: /_bytes$/,
  ratio: /_ratio$/,
  bytes_per_second: /_bytes_per_second$/,
  info: /_info$/,
};

const isFamilyMetric = (e: CatalogueEntry): boolean => e.family !== SELF_FAMILY;
const base = (name: string): string => name.replace(/_total$/, '');

interface Rule {
  readonly rule: string;
  readonly ok: (e: CatalogueEntry) => boolean;
  /** Deliberately bad entries (changes to GOOD) this rule must reject. */
  readonly bad: readonly Partial<CatalogueEntry>[];
}

const RULES: readonly Rule[] = [
  { rule: 'name starts with mist_', ok: (e) => e.name.startsWith('mist_'), bad: [{ name: 'wan_port_up' }, { name: 'mistwan_up' }] },
  { rule: 'name is snake_case', ok: (e) => SNAKE.test(e.name), bad: [{ name: 'mist_wanPort_up' }, { name: 'mist_wan__up' }, { name: 'mist_wan-up' }] },
  { rule: 'name has no colon (reserved for recording rules)', ok: (e) => !e.name.includes(':'), bad: [{ name: 'mist_site:wan_up:sum' }] },
  { rule: '_total exactly on counters', ok: (e) => (e.type === 'counter') === e.name.endsWith('_total'),
    bad: [{ name: 'mist_wan_ports_total', type: 'gauge' }, { name: 'mist_wan_port_flaps', type: 'counter' }] },
  { rule: '_info metrics are gauges with unit info, and unit info means _info', ok: (e) => !(e.name.endsWith('_info') || e.unit === 'info') || (e.name.endsWith('_info') && e.unit === 'info' && e.type === 'gauge'),
    bad: [{ name: 'mist_wan_port_info', unit: 'boolean' }, { name: 'mist_wan_port_metadata', unit: 'info' }, { name: 'mist_wan_info_total', type: 'counter', unit: 'info' }] },
  { rule: 'name ends with its unit', ok: (e) => SUFFIX_OF[e.unit]?.test(base(e.name)) ?? true,
    bad: [{ name: 'mist_wan_port_latency', unit: 'seconds' }, { name: 'mist_wan_port_last_flapped_seconds', unit: 'timestamp' },
      { name: 'mist_wan_port_receive_total', type: 'counter', unit: 'bytes' }, { name: 'mist_wan_port_loss', unit: 'ratio' },
      { name: 'mist_wan_port_speed_bytes', unit: 'bytes_per_second' }, { name: 'mist_gateway_boot_timestamp_seconds', unit: 'seconds' }] },
  { rule: 'a unit suffix in the name matches the declared unit', ok: (e) => {
    const n = base(e.name);
    if (n.endsWith('_timestamp_seconds')) return e.unit === 'timestamp';
    if (n.endsWith('_seconds')) return e.unit === 'seconds';
    if (n.endsWith('_bytes_per_second')) return e.unit === 'bytes_per_second';
    if (n.endsWith('_bytes')) return e.unit === 'bytes';
    if (n.endsWith('_ratio')) return e.unit === 'ratio';
    return true;
  }, bad: [{ name: 'mist_wan_port_latency_seconds', unit: 'count' }, { name: 'mist_wan_port_rx_bytes', unit: 'count' }, { name: 'mist_x_ratio', unit: 'boolean' }] },
  { rule: 'no reserved suffix, type name or abbreviated/non-base unit in the name', ok: (e) => !BAD_NAME_PARTS.test(e.name),
    bad: [{ name: 'mist_wan_port_latency_ms' }, { name: 'mist_wan_port_loss_percent' }, { name: 'mist_gateways_count' }, { name: 'mist_wan_up_gauge' }, { name: 'mist_wan_rx_bits_total', type: 'counter' }] },
  { rule: 'a unit-less score carries no unit suffix and its HELP states its scale (e.g. "from 0 to 5")',
    ok: (e) => e.unit !== 'score' || (!/_(seconds|bytes|ratio|bytes_per_second|info)$/.test(base(e.name)) && /\b\d+(\.\d+)?\s*(-|–|to)\s*\d+(\.\d+)?\b/.test(e.help)),
    bad: [{ name: 'mist_vpn_path_mos', unit: 'score', help: 'Mean opinion score (GET /api/v1/orgs/{org_id}/stats/vpn_peers/search field mos). Cached by the collector.' },
      { name: 'mist_vpn_path_mos_ratio', unit: 'score', help: 'Mean opinion score from 0 to 5 (field mos). Cached by the collector.' }] },
  { rule: 'type is gauge or counter', ok: (e) => e.type === 'gauge' || e.type === 'counter', bad: [{ type: 'histogram' as CatalogueEntry['type'] }] },
  { rule: 'label names are snake_case', ok: (e) => e.labels.every((l) => SNAKE.test(l)), bad: [{ labels: ['org_id', 'siteId'] }, { labels: ['org_id', '__name__'] }] },
  { rule: 'no label named type, le or quantile', ok: (e) => e.labels.every((l) => !RESERVED_LABELS.includes(l)),
    bad: [{ labels: ['org_id', 'type'] }, { labels: ['org_id', 'le'] }, { labels: ['org_id', 'quantile'] }] },
  { rule: 'no target labels (env, cluster, instance, job)', ok: (e) => e.labels.every((l) => !TARGET_LABELS.includes(l)),
    bad: TARGET_LABELS.map((l) => ({ labels: ['org_id', l] })) },
  { rule: 'no label twice', ok: (e) => new Set(e.labels).size === e.labels.length, bad: [{ labels: ['org_id', 'site_id', 'org_id'] }] },
  { rule: 'HELP says where the value comes from (Mist endpoint/field and "Cached" for family metrics; store/collector/exporter for self-metrics)',
    ok: (e) => e.help.trim() !== '' && (isFamilyMetric(e) ? MIST_SOURCE.test(e.help) && /\bCached\b/.test(e.help) : SELF_SOURCE.test(e.help)),
    bad: [{ help: '' }, { help: '1 when the WAN port is up. Cached by the collector.' }, { help: '1 when the WAN port is up (GET /api/v1/orgs/{org_id}/stats/ports/search field up).' },
      { family: SELF_FAMILY, help: 'How long it took.' }] },
  { rule: 'family metrics carry org_id', ok: (e) => !isFamilyMetric(e) || e.labels.includes('org_id'), bad: [{ labels: ['site_id', 'mac'] }] },
];

/** A well-formed family entry: each bad sample changes it in one way. */
const GOOD: CatalogueEntry = {
  name: 'mist_wan_port_up', type: 'gauge', unit: 'boolean', family: 'wan-ports', labels: ['org_id', 'site_id', 'mac', 'port_id'],
  help: '1 when the WAN port is up (GET /api/v1/orgs/{org_id}/stats/ports/search field up). Cached by the collector (wan-ports family).',
};

const entries = catalogueEntries();

describe('metric catalogue lint (exporter guidelines)', () => {
  it('covers every family metric and every self-metric exactly once', () => {
    const declared = FAMILY_CATALOGUES.reduce((n, c) => n + c.groups.reduce((m, g) => m + g.metrics.length, 0) + (c.counters?.length ?? 0), 0) + SELF_METRICS.length;
    expect(entries).toHaveLength(declared);
    expect(entries.length).toBeGreaterThan(30);
    expect(new Set(entries.map((e) => e.family))).toEqual(new Set([...FAMILY_CATALOGUES.map((c) => c.family), SELF_FAMILY]));
  });

  it('accepts the well-formed sample entry under every rule', () => {
    expect(RULES.filter((r) => !r.ok(GOOD)).map((r) => r.rule)).toEqual([]);
  });

  describe.each(RULES)('$rule', ({ ok, bad }) => {
    it('holds for every catalogue entry', () => {
      expect(entries.filter((e) => !ok(e)).map((e) => `${e.name} ${JSON.stringify(e.labels)} "${e.help}"`)).toEqual([]);
    });
    it('rejects deliberately bad entries', () => {
      for (const change of bad) expect(ok({ ...GOOD, ...change }), JSON.stringify(change)).toBe(false);
    });
  });

  it('declares no metric name twice across families and self-metrics (the lint rejects a duplicate)', () => {
    const duplicates = (list: readonly CatalogueEntry[]): string[] => list.map((e) => e.name).filter((n, i, all) => all.indexOf(n) !== i);
    expect(duplicates(entries)).toEqual([]);
    const selfDuplicate = { ...entries.find((e) => e.family === 'gateways')!, family: SELF_FAMILY };
    expect(duplicates([...entries, selfDuplicate])).toEqual([selfDuplicate.name]);
  });

  it('labels every series group of every family catalogue with org_id', () => {
    const missing = (cats: readonly { family: string; groups: readonly { labels: readonly string[] }[] }[]) =>
      cats.flatMap((c) => c.groups.filter((g) => !g.labels.includes('org_id')).map((g) => `${c.family}: ${g.labels.join(',')}`));
    expect(missing(FAMILY_CATALOGUES)).toEqual([]);
    expect(missing([{ family: 'fake', groups: [{ labels: ['org_id'] }, { labels: ['site_id'] }] }])).toEqual(['fake: site_id']);
  });

  it('keeps self-metrics out of the family namespace and family metrics out of self (family names match the catalogue files)', () => {
    expect(FAMILY_CATALOGUES.map((c) => c.family)).not.toContain(SELF_FAMILY);
    expect(new Set(FAMILY_CATALOGUES.map((c) => c.family)).size).toBe(FAMILY_CATALOGUES.length);
  });
});
