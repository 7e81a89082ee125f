import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getOrg, getSelf, getSelfUsage, listGatewayStats, listInventory, listSitegroups, listSites, searchGatewayPorts } from '../../src/mist/endpoints.js';
import type { Endpoint } from '../../src/mist/types.js';
import { validateRecords } from '../../src/mist/validate.js';
import { ORG_ID, SITE_ID } from '../support/mist-fake.js';

const FIXTURES = '/work/shared/mist-openapi/fixtures';
const fixture = (name: string): unknown => JSON.parse(readFileSync(`${FIXTURES}/${name}.json`, 'utf8'));
const rowsOf = (name: string): unknown[] => {
  const body = fixture(name);
  if (Array.isArray(body)) return body;
  return [body];
};

function parseAll<T>(endpoint: Endpoint<T>, rows: readonly unknown[]) {
  return validateRecords(rows, endpoint.schema, endpoint.keep);
}

const wanRow = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  org_id: ORG_ID, site_id: SITE_ID, mac: '5c4527a96580', port_id: 'ge-0/0/0', type: 'gateway', port_usage: 'wan', up: true,
  speed: 1000, rx_bytes: 10, tx_bytes: 20, rx_pkts: 1, tx_pkts: 2, jitter: 1.5, latency: 20, loss: 0.1, last_flapped: 1_700_000_000, ...over,
});

describe('Mist schemas accept every spec example of the consumed endpoints', () => {
  it.each([
    ['AdminExample', getSelf()],
    ['ApiUsageExample', getSelfUsage()],
    ['OrgExample', getOrg(ORG_ID)],
  ] as const)('%s parses as a whole body', (name, endpoint) => {
    const parsed = (endpoint.schema as Endpoint<unknown>['schema']).safeParse(fixture(name));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it.each([
    ['SitesArrayExample', listSites(ORG_ID), 1],
    ['SitegroupsArrayExample', listSitegroups(ORG_ID), 1],
    ['DevicesArrayStatsOrgGatewayStats', listGatewayStats(ORG_ID), 1],
    ['DeviceStatsGatewayStats', listGatewayStats(ORG_ID), 1],
  ] as const)('%s rows parse and are kept', (name, endpoint, kept) => {
    const v = parseAll(endpoint as Endpoint<unknown>, rowsOf(name));
    expect(v.dropped).toEqual({});
    expect(v.records).toHaveLength(kept);
  });

  it('the inventory example (an AP) parses and is filtered out cleanly, not dropped', () => {
    const v = parseAll(listInventory(ORG_ID), rowsOf('OrgInventoryExample'));
    expect(v).toMatchObject({ records: [], dropped: {}, filtered: 1 });
  });

  it('the ports search example row (a gateway LAN port) parses and is filtered out as not WAN', () => {
    const body = fixture('SwitchPortsSearchExample') as { results: unknown[] };
    const v = parseAll(searchGatewayPorts(ORG_ID), body.results);
    expect(v).toMatchObject({ records: [], dropped: {}, filtered: 1 });
    const asWan = parseAll(searchGatewayPorts(ORG_ID), body.results.map((r) => ({ ...(r as object), port_usage: 'wan' })));
    expect(asWan.records).toHaveLength(1);
    expect(asWan.records[0]).toMatchObject({ mac: '5c4527a96580', port_id: 'ge-0/0/0', type: 'gateway', rx_bytes: 4563443626, speed: 1000 });
  });

  it('reads the fields the collector consumes from the gateway stats example', () => {
    const [g] = parseAll(listGatewayStats(ORG_ID), rowsOf('DevicesArrayStatsOrgGatewayStats')).records;
    expect(g).toMatchObject({ mac: '4db14e107134', type: 'gateway', model: 'SRX300', status: 'connected', uptime: 581259, memory_stat: { usage: 39 } });
    expect(g?.cpu_stat?.idle).toBe(76);
    expect(Object.keys(g?.if_stat ?? {}).length).toBeGreaterThan(0);
  });
});

describe('Mist schemas tolerate the live variants (docs/mist-api.md §1.8)', () => {
  it('keeps WAN port rows with null counters, no neighbor_mac/port_mac, and device_type instead of type', () => {
    const { type: _type, ...noType } = wanRow({ rx_bytes: null, tx_pkts: null, jitter: null, port_mac: undefined });
    const v = parseAll(searchGatewayPorts(ORG_ID), [{ ...noType, device_type: 'gateway' }]);
    expect(v.dropped).toEqual({});
    expect(v.records[0]).toMatchObject({ type: 'gateway', rx_bytes: undefined, tx_pkts: undefined, jitter: undefined });
    expect(v.records[0]).not.toHaveProperty('device_type');
  });

  it('keeps WAN ports and LTE ports, leaves out LAN ports and other device types', () => {
    const rows = [
      wanRow({ port_id: 'ge-0/0/0' }),
      wanRow({ port_id: 'lte-0/0/0', port_usage: undefined }),
      wanRow({ port_id: 'ge-0/0/3', port_usage: 'lan' }),
      wanRow({ port_id: 'ge-0/0/4', type: 'switch' }),
    ];
    const v = parseAll(searchGatewayPorts(ORG_ID), rows);
    expect(v.records.map((r) => r.port_id)).toEqual(['ge-0/0/0', 'lte-0/0/0']);
    expect(v.filtered).toBe(2);
  });

  it('fills the org id from the path when the org body has none', () => {
    const parsed = getOrg(ORG_ID).schema.parse({ name: 'Acme' });
    expect(parsed).toEqual({ id: ORG_ID, name: 'Acme' });
  });

  it('keeps a site whose latlng is malformed, without the latlng', () => {
    const v = parseAll(listSites(ORG_ID), [{ id: SITE_ID, name: 'S', latlng: { lat: 'north' }, sitegroup_ids: null }]);
    expect(v.records).toEqual([expect.objectContaining({ id: SITE_ID, latlng: undefined, sitegroup_ids: [] })]);
  });
});

describe('a bad record is dropped and counted, never failing its page', () => {
  it('drops the malformed row, keeps its page-mates, and counts the reason', () => {
    const rows = [wanRow({ port_id: 'ge-0/0/0' }), wanRow({ port_id: 'ge-0/0/1', site_id: 42 }), wanRow({ port_id: 'ge-0/0/2' }), 'not an object'];
    const v = parseAll(searchGatewayPorts(ORG_ID), rows);
    expect(v.records.map((r) => r.port_id)).toEqual(['ge-0/0/0', 'ge-0/0/2']);
    expect(Object.values(v.dropped).reduce((a, b) => a + b, 0)).toBe(2);
    expect(Object.keys(v.dropped).some((k) => k.startsWith('site_id: Invalid input'))).toBe(true);
    expect(Object.keys(v.dropped).some((k) => k.startsWith('(record): Invalid input'))).toBe(true);
  });

  it('names reasons by field and type only: no values, map keys collapsed', () => {
    const secretish = 'ge-0/0/5.130-value-xyz';
    const bad = { ...(rowsOf('DevicesArrayStatsOrgGatewayStats')[0] as object), if_stat: { [secretish]: { port_id: 7 } } };
    const v = parseAll(listGatewayStats(ORG_ID), [bad, { mac: 'aa', site_id: 'not-a-guid-value' }]);
    const reasons = Object.keys(v.dropped);
    expect(reasons).toContain('if_stat.*.port_id: Invalid input: expected string, received number');
    expect(reasons.join(' ')).not.toContain(secretish);
    expect(reasons.join(' ')).not.toContain('not-a-guid-value');
  });
});
