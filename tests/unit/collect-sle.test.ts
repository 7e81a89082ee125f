import { describe, expect, it } from 'vitest';
import { mapSiteSle, mapWorstSites, WAN_SLES } from '../../src/families/sle/collect.js';
import { sleFamily } from '../../src/families/sle/index.js';
import type { OrgSize } from '../../src/collect/family.js';
import { SleRecordSchema } from '../../src/families/sle/records.js';
import { getWorstSites } from '../../src/mist/endpoints.js';
import { SiteSleSchema, WorstSitesSchema } from '../../src/mist/schemas/sle.js';
import { validateRecords } from '../../src/mist/validate.js';
import { sleExample } from '../fixtures/records/openapi-sle.js';

const SITE = '5e7a0000-0000-4000-8000-000000000001';
const OTHER = '5e7a0000-0000-4000-8000-000000000002';
const size = (sites: number): OrgSize => ({ sites, sitegroups: 14, gateways: sites, 'wan-ports': sites * 4, 'vpn-peers': sites * 8 });

describe('mapSiteSle', () => {
  it('maps the spec WAN example (underscore application_health) to one score per SLE plus the site counts', () => {
    const [row] = (sleExample('OrgSiteSleWANSLE.json') as { results: unknown[] }).results.map((r) => SiteSleSchema.parse(r));
    const records = mapSiteSle(row!);
    const site = 'f5fcbee5-1234-5678-9101-1619ede87879';
    expect(records).toEqual([
      { kind: 'score', site_id: site, sle: 'gateway-health', ratio: 1 },
      { kind: 'score', site_id: site, sle: 'wan-link-health', ratio: 0.9988471089272484 },
      { kind: 'score', site_id: site, sle: 'application-health', ratio: 0.8250000047942866 },
      { kind: 'site', site_id: site, gateways: 1, clients: 65 },
    ]);
    for (const r of records) expect(SleRecordSchema.safeParse(r).success).toBe(true);
  });

  it('reads the live hyphenated application-health spelling, preferring it over the underscore one', () => {
    const row = SiteSleSchema.parse({ site_id: SITE, 'gateway-health': 0.5, 'application-health': 0.25, application_health: 0.75 });
    expect(mapSiteSle(row).filter((r) => r.kind === 'score')).toEqual([
      { kind: 'score', site_id: SITE, sle: 'gateway-health', ratio: 0.5 },
      { kind: 'score', site_id: SITE, sle: 'application-health', ratio: 0.25 },
    ]);
  });

  it('keeps an SLE Mist did not score absent (no record) and unknown counts null, never 0; a reported 0 stays 0', () => {
    const row = SiteSleSchema.parse({ site_id: SITE, 'gateway-health': 0, 'wan-link-health': null, num_gateways: null });
    expect(mapSiteSle(row)).toEqual([
      { kind: 'score', site_id: SITE, sle: 'gateway-health', ratio: 0 },
      { kind: 'site', site_id: SITE, gateways: null, clients: null },
    ]);
  });

  it('ignores SLE keys it does not collect (wan-link-health-v2, gateway-bandwidth) and drops a row whose score is out of 0-1', () => {
    const ok = SiteSleSchema.parse({ site_id: SITE, 'gateway-health': 1, 'wan-link-health-v2': 0.1, 'gateway-bandwidth': 250 });
    expect(mapSiteSle(ok).map((r) => (r.kind === 'score' ? r.sle : r.kind))).toEqual(['gateway-health', 'site']);
    const v = validateRecords([{ site_id: SITE, 'wan-link-health': 99.5 }, { site_id: OTHER, 'gateway-health': 1 }], SiteSleSchema);
    expect(v.records.map((r) => r.site_id)).toEqual([OTHER]);
    expect(Object.keys(v.dropped)).toEqual([expect.stringMatching(/^wan-link-health: /)]);
  });
});

describe('mapWorstSites', () => {
  it('ranks rows by their position in Mist\'s answer (1 = worst), under either spelling of the SLE', () => {
    const rows = [{ site_id: SITE, 'application-health': 0.1 }, { site_id: OTHER, application_health: 0.4, num_clients: 3 }];
    expect(mapWorstSites('application-health', rows)).toEqual({
      records: [
        { kind: 'worst', site_id: SITE, sle: 'application-health', rank: 1 },
        { kind: 'worst', site_id: OTHER, sle: 'application-health', rank: 2 },
      ],
      dropped: {},
    });
  });

  it('parses the spec\'s Wi-Fi example and drops each of its rows cleanly for every WAN SLE (no WAN score in them)', () => {
    const body = WorstSitesSchema.parse(sleExample('InsightMetricOrgWorstSitesBySle.json'));
    expect(body.results).toHaveLength(4);
    for (const sle of WAN_SLES) {
      const { records, dropped } = mapWorstSites(sle, body.results);
      expect(records).toEqual([]);
      expect(dropped).toEqual({ [`${sle}: no SLE score (0-1) for the requested sle`]: 4 });
    }
  });

  it('drops a repeated site and a row without a site id, keeping the others\' Mist positions', () => {
    const rows = [{ 'gateway-health': 0 }, { site_id: SITE, 'gateway-health': 0 }, { site_id: SITE, 'gateway-health': 0.1 }, { site_id: OTHER, 'gateway-health': 0.2 }];
    const { records, dropped } = mapWorstSites('gateway-health', rows);
    expect(records.map((r) => (r.kind === 'worst' ? [r.site_id, r.rank] : null))).toEqual([[SITE, 2], [OTHER, 4]]);
    expect(Object.values(dropped).reduce((s, n) => s + n, 0)).toBe(2);
    expect(dropped['site_id: repeated in worst-sites-by-sle']).toBe(1);
  });

  it('reads the whole worst-sites body (no page or total) and tolerates a missing results list', () => {
    expect(WorstSitesSchema.parse({ start: 1, end: 2, interval: 3600, limit: 10 }).results).toEqual([]);
    expect(getWorstSites('o', 'gateway-health')).toMatchObject({ form: 'none', query: { sle: 'gateway-health', duration: '1h' } });
  });
});

describe('sleFamily', () => {
  it('costs one call per 1,000 sites plus one worst-sites call per WAN SLE, every 600 s', () => {
    expect(sleFamily.callsPerCycle(size(3208))).toBe(4 + 3);
    expect(sleFamily.callsPerCycle(size(1000))).toBe(1 + 3);
    expect(sleFamily.callsPerCycle(size(1))).toBe(1 + 3);
    expect(sleFamily.defaultIntervalSeconds).toBe(600);
    expect(sleFamily.budgeted).toBeUndefined();
  });
});
