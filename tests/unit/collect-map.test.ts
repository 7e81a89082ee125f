import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapGateway, wanInterfaces, type GatewayStatsIn } from '../../src/families/gateways/collect.js';
import { mapSite } from '../../src/families/sites/collect.js';
import { mapWanPort, wanNamesFrom } from '../../src/families/wan-ports/collect.js';
import { regionOf } from '../../src/collect/regions.js';

const FIXTURES = new URL('../../../shared/mist-openapi/fixtures/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
const rule = { prefix: 'Region - ', names: ['EMEA'] };

describe('regionOf', () => {
  it('takes the region from a prefixed group, stripping the prefix', () => {
    expect(regionOf(['Format - Express', 'Region - West'], rule)).toBe('West');
  });
  it('accepts explicitly listed group names as they are', () => {
    expect(regionOf(['EMEA', 'Pilot'], rule)).toBe('EMEA');
  });
  it('says unknown when no group is a region', () => {
    expect(regionOf(['Format - Express'], rule)).toBe('unknown');
    expect(regionOf([], rule)).toBe('unknown');
    expect(regionOf(['Region - '], rule)).toBe('unknown');
  });
  it('is stable when a site is in two region groups (sorted, first wins)', () => {
    expect(regionOf(['Region - West', 'Region - East'], rule)).toBe('East');
  });
  it('matches nothing by prefix when the prefix is empty', () => {
    expect(regionOf(['Region - West'], { prefix: '', names: [] })).toBe('unknown');
  });
});

describe('mapSite', () => {
  it('maps the spec example site with its group names and region', () => {
    const [site] = fixture('SitesArrayExample.json') as Parameters<typeof mapSite>[0][];
    const groups = new Map([[site!.sitegroup_ids![0]!, 'Region - Pacific']]);
    expect(mapSite(site!, groups, rule)).toEqual({
      site_id: '497f6eca-6276-5007-bfeb-53cbbbba6f19', name: 'Mist Office', region: 'Pacific', sitegroups: ['Region - Pacific'],
      country_code: 'US', timezone: 'America/Los_Angeles', address: '1601 S. Deanza Blvd., Cupertino, CA, 95014',
      latitude: 37.295833, longitude: -122.032946,
    });
  });
  it('ignores unknown group ids and tolerates missing optional fields', () => {
    expect(mapSite({ id: 's', name: 'n', sitegroup_ids: ['gone'] }, new Map(), rule)).toMatchObject({
      region: 'unknown', sitegroups: [], country_code: null, timezone: null, address: null, latitude: null, longitude: null,
    });
  });
});

describe('mapGateway', () => {
  it('maps the spec HA gateway example: CPU from idle, memory ratio, boot time, no WAN ports (all LAN)', () => {
    const [gw] = fixture('DevicesArrayStatsOrgGatewayStats.json') as GatewayStatsIn[];
    const r = mapGateway(gw!, new Map([['4db14e107134', true]]));
    expect(r).toMatchObject({
      mac: '4db14e107134', id: '00000000-0000-0000-1000-4db14e107134', model: 'SRX300', status: 'connected', connected: true,
      uptime_seconds: 581259, boot_time_seconds: 1720598726 - 581259, cpu_ratio: 0.24, memory_ratio: 0.39, is_ha: true,
      wan_interfaces: [],
    });
  });
  it('collects WAN interfaces from if_stat and if2_stat, one per port, with wan_name and wan_type', () => {
    const g: GatewayStatsIn = {
      mac: 'aa',
      if_stat: {
        'ge-0/0/0.0': { port_id: 'ge-0/0/0', port_usage: 'wan', wan_name: 'wan1', wan_type: 'broadband' },
        'ge-0/0/0.100': { port_id: 'ge-0/0/0', port_usage: 'wan', wan_name: 'dup', wan_type: 'broadband' },
        'ge-0/0/4.10': { port_id: 'ge-0/0/4', port_usage: 'lan' },
      },
      if2_stat: { 'ge-5/0/0.0': { port_id: 'ge-5/0/0', port_usage: 'wan', wan_name: 'lte', wan_type: 'lte' } },
    };
    expect(wanInterfaces(g)).toEqual([
      { port_id: 'ge-0/0/0', wan_name: 'wan1', wan_type: 'broadband' },
      { port_id: 'ge-5/0/0', wan_name: 'lte', wan_type: 'lte' },
    ]);
  });
  it('leaves unknowns null instead of inventing zeros', () => {
    const r = mapGateway({ mac: 'bb' }, new Map());
    expect(r).toMatchObject({ connected: null, uptime_seconds: null, boot_time_seconds: null, cpu_ratio: null, memory_ratio: null, status: 'unknown' });
  });
});

describe('mapWanPort', () => {
  const names = wanNamesFrom([{ mac: 'aa', wan_interfaces: [{ port_id: 'ge-0/0/0', wan_name: 'wan1', wan_type: 'broadband' }] }]);
  it('converts to base units: Mbps to bytes/s, ms to s, percent to ratio', () => {
    const r = mapWanPort({ site_id: 's', mac: 'aa', port_id: 'ge-0/0/0', up: true, speed: 100, rx_bytes: 10, tx_bytes: 20, rx_pkts: 1, tx_pkts: 2, jitter: 3, latency: 25, loss: 1.5, last_flapped: 1700000000 }, names);
    expect(r).toEqual({
      site_id: 's', mac: 'aa', port_id: 'ge-0/0/0', wan_name: 'wan1', wan_type: 'broadband', up: true, disabled: null,
      speed_bytes_per_second: 12_500_000, rx_bytes: 10, tx_bytes: 20, rx_packets: 1, tx_packets: 2,
      last_flapped_seconds: 1700000000, jitter_seconds: 0.003, latency_seconds: 0.025, loss_ratio: 0.015,
    });
  });
  it('keeps absent quality and counters null (a down port reports none), and falls back to port_id for wan_name', () => {
    const r = mapWanPort({ site_id: 's', mac: 'zz', port_id: 'ge-0/0/1', up: false, rx_bytes: null, speed: 0 }, names);
    expect(r).toMatchObject({ wan_name: 'ge-0/0/1', wan_type: 'unknown', rx_bytes: null, jitter_seconds: null, latency_seconds: null, loss_ratio: null, speed_bytes_per_second: null });
  });
  it('maps the spec ports example row', () => {
    const body = fixture('SwitchPortsSearchExample.json') as { results: Parameters<typeof mapWanPort>[0][] };
    const r = mapWanPort(body.results[0]!, names);
    expect(r).toMatchObject({ port_id: 'ge-0/0/0', rx_bytes: 4563443626, tx_bytes: 11299516780, speed_bytes_per_second: 125_000_000, loss_ratio: 0, latency_seconds: 0 });
  });
});
