import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapVpnPath, mapVpnPathRows, upSince, type PeerPathIn } from '../../src/families/vpn-peers/collect.js';
import { vpnPeersCatalogue } from '../../src/families/vpn-peers/catalogue.js';
import { vpnPeersFamily } from '../../src/families/vpn-peers/index.js';
import type { OrgSize } from '../../src/collect/family.js';
import { VpnPathRecordSchema, type VpnPathRecord } from '../../src/families/vpn-peers/records.js';
import { dropRepeats } from '../../src/metrics/identity.js';
import { PeerPathSchema } from '../../src/mist/schemas/peers.js';

const FIXTURES = new URL('../../../shared/mist-openapi/fixtures/', import.meta.url);
const specRows = (): PeerPathIn[] =>
  (JSON.parse(readFileSync(new URL('VpnPeersStatsExample.json', FIXTURES), 'utf8')) as { results: unknown[] }).results.map((r) => PeerPathSchema.parse(r));

const SRX_ROW: PeerPathIn = {
  site_id: '5e7a0000-0000-4000-8000-000000000001', mac: '020000000001', router_name: 'store-1-gw', port_id: 'ge-0/0/0',
  peer_mac: '0200000000f1', peer_router_name: 'hub-east-gw', peer_port_id: 'ge-0/0/0', peer_site_id: '5e7a0000-0000-4000-8000-0000000000ff',
  type: 'ipsec', up: true, is_active: true, latency: 21.5, jitter: 1.8, loss: 1.5, mos: 4.37, mtu: 1400, uptime: 3600, last_seen: 1_790_000_000.456,
};

describe('mapVpnPath', () => {
  it('maps the spec example (SSR svr rows, validated by the client schema): identity, names, quality in base units', () => {
    const [bare, full] = specRows();
    expect(mapVpnPath(full!)).toEqual({
      site_id: '725a8d34-a126-4f2c-b990-d1219421cb75', mac: '020001c04668', port_id: 'Lte', wan_name: null, peer_mac: '020001367edd', peer_port_id: 'DC_Internet', peer_wan_name: null,
      path_type: 'svr', peer_site_id: '725a8d34-a126-4f2c-b990-d1219421cb75', router_name: 'RIST01544AP1', peer_router_name: 'RIDCBBP1',
      up: true, is_active: true, loss_ratio: null, latency_seconds: 0.091, jitter_seconds: null, mos: 4, mtu_bytes: 1500,
      // The spec's uptime (1527128046) is an epoch, not a duration: it is when the path came up.
      up_since_seconds: 1_527_128_046,
    });
    expect(mapVpnPath(bare!)).toMatchObject({ router_name: null, peer_router_name: null, latency_seconds: null, mos: null, mtu_bytes: null });
    expect(VpnPathRecordSchema.safeParse(mapVpnPath(bare!)).success).toBe(true);
  });

  it('converts Mist units: latency and jitter ms to seconds, loss percent to a ratio; MOS and MTU as they are', () => {
    expect(mapVpnPath(SRX_ROW)).toMatchObject({ latency_seconds: 0.0215, jitter_seconds: 0.0018, loss_ratio: 0.015, mos: 4.37, mtu_bytes: 1400, path_type: 'ipsec' });
  });

  it('keeps absent quality absent (null), never 0, and keeps a reported 0 as 0', () => {
    const down = mapVpnPath({ ...SRX_ROW, up: false, is_active: false, latency: undefined, jitter: null, loss: undefined, mos: undefined, mtu: undefined, uptime: 0 });
    expect(down).toMatchObject({ up: false, is_active: false, latency_seconds: null, jitter_seconds: null, loss_ratio: null, mos: null, mtu_bytes: null, up_since_seconds: null });
    expect(mapVpnPath({ ...SRX_ROW, loss: 0, jitter: 0 })).toMatchObject({ loss_ratio: 0, jitter_seconds: 0 });
    expect(mapVpnPath({ ...SRX_ROW, latency: Number.NaN }).latency_seconds).toBeNull();
  });

  it('says unknown for a missing path type and null for missing state, site and names', () => {
    expect(mapVpnPath({ mac: 'm', port_id: 'p', peer_mac: 'pm', peer_port_id: 'pp' })).toEqual({
      site_id: null, mac: 'm', port_id: 'p', wan_name: null, peer_mac: 'pm', peer_port_id: 'pp', peer_wan_name: null, path_type: 'unknown', peer_site_id: null, router_name: null,
      peer_router_name: null, up: null, is_active: null, loss_ratio: null, latency_seconds: null, jitter_seconds: null, mos: null, mtu_bytes: null,
      up_since_seconds: null,
    });
  });
});

describe('upSince (uptime as a timestamp)', () => {
  it('is last_seen minus uptime, floored so last_seen\'s milliseconds do not make it wobble between polls', () => {
    expect(upSince({ up: true, uptime: 3600, last_seen: 1_790_000_000.456 })).toBe(1_789_996_400);
    // The simulator's rows: uptime = floor(now - upSince), last_seen = now (ms): the result is stable.
    for (const now of [1_790_000_000.001, 1_790_000_000.999, 1_790_000_061.5]) {
      expect(upSince({ up: true, uptime: Math.floor(now - 1_789_990_000), last_seen: now })).toBe(1_789_990_000);
    }
  });
  it('takes an uptime that can only be an epoch (>= 1e9 s, over 31 years) as the time the path came up', () => {
    expect(upSince({ up: true, uptime: 1_527_128_046, last_seen: 1_619_518_709.222 })).toBe(1_527_128_046);
    expect(upSince({ up: true, uptime: 999_999_999, last_seen: 1_619_518_709 })).toBe(619_518_710);
  });
  it('is unknown while the path is down, without an uptime or a last_seen to anchor it, or with a negative uptime', () => {
    expect(upSince({ up: false, uptime: 3600, last_seen: 1_790_000_000 })).toBeNull();
    expect(upSince({ up: true, uptime: undefined, last_seen: 1_790_000_000 })).toBeNull();
    expect(upSince({ up: true, uptime: 3600, last_seen: undefined })).toBeNull();
    expect(upSince({ up: true, uptime: -5, last_seen: 1_790_000_000 })).toBeNull();
  });
  it('anchors a just-established path (uptime 0) at last_seen', () => {
    expect(upSince({ up: true, uptime: 0, last_seen: 1_790_000_000.9 })).toBe(1_790_000_000);
  });
});

describe('mapVpnPathRows (repeated paths: stored as they come, removed by their readers)', () => {
  it('keeps every row, repeats included: the first-wins rule is the readers\' (src/metrics/identity.ts)', () => {
    const { records, dropped } = mapVpnPathRows([SRX_ROW, { ...SRX_ROW, peer_mac: '0200000000f2' }, { ...SRX_ROW, latency: 99 }]);
    expect(records.map((r) => [r.peer_mac, r.latency_seconds])).toEqual([['0200000000f1', 0.0215], ['0200000000f2', 0.0215], ['0200000000f1', 0.099]]);
    expect(dropped).toEqual({});
    // A reader (the renderer, ctx.readRecords) keeps the first row of the path, whatever page the repeat is on.
    const read = dropRepeats(vpnPeersCatalogue, 'o', [...records, ...mapVpnPathRows([{ ...SRX_ROW, type: 'svr' }]).records]);
    expect(read.records.map((r) => (r as VpnPathRecord).latency_seconds)).toEqual([0.0215, 0.0215, 0.0215]);
    expect(read.repeats).toBe(1);
  });
  it('treats the spec example\'s two rows as one path for its readers (same gateway, port, peer, peer port and type)', () => {
    const { records } = mapVpnPathRows(specRows());
    expect(records).toHaveLength(2);
    expect(dropRepeats(vpnPeersCatalogue, 'o', records)).toEqual({ records: [records[0]], repeats: 1 });
  });
});

describe('vpnPeersFamily', () => {
  const size = (vpnPeerPaths: number): OrgSize => ({ sites: 3208, sitegroups: 14, gateways: 3208, 'wan-ports': 14_008, 'vpn-peers': vpnPeerPaths });
  it('costs one call per 1,000 paths (at least one) and runs at least every 2 minutes', () => {
    expect(vpnPeersFamily.callsPerCycle(size(19_652))).toBe(20);
    expect(vpnPeersFamily.callsPerCycle(size(1000))).toBe(1);
    expect(vpnPeersFamily.callsPerCycle(size(0))).toBe(1);
    expect(vpnPeersFamily.defaultIntervalSeconds).toBeLessThanOrEqual(120);
    expect(vpnPeersFamily.resumable).not.toBe(false);
  });
});
