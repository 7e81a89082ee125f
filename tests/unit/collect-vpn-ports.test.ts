import { describe, expect, it } from 'vitest';
import { defaultFamilySettings, type FamilyContext, type FamilyPage, recordReader } from '../../src/collect/family.js';
import { mapVpnPathRows, type PeerPathIn } from '../../src/families/vpn-peers/collect.js';
import { vpnPeersCatalogue } from '../../src/families/vpn-peers/catalogue.js';
import { vpnPeersFamily } from '../../src/families/vpn-peers/index.js';
import { resolvePath, resolvePort, wanInterfacesByMac, type Unresolved } from '../../src/families/vpn-peers/ports.js';
import type { GatewayRecord } from '../../src/families/gateways/records.js';
import type { VpnPathRecord } from '../../src/families/vpn-peers/records.js';
import { dropRepeats } from '../../src/metrics/identity.js';
import type { MistApi, Page } from '../../src/mist/types.js';
import { captureLog } from '../support/redis-store.js';

/** A spoke (SRX or SSR) with two WAN ports and LTE, and a hub; as the gateways snapshot holds them (if_stat). */
const SPOKE = '020000000001';
const HUB = '0200000000f1';
const GATEWAYS: Pick<GatewayRecord, 'mac' | 'wan_interfaces'>[] = [
  { mac: SPOKE, wan_interfaces: [
    { port_id: 'ge-0/0/0', wan_name: 'wan1', wan_type: 'broadband' }, { port_id: 'ge-0/0/1', wan_name: 'wan2', wan_type: 'broadband' },
    { port_id: 'cl-1/0/0', wan_name: 'lte', wan_type: 'lte' },
  ] },
  { mac: HUB, wan_interfaces: [{ port_id: 'ge-0/0/3', wan_name: 'DC_Internet', wan_type: 'broadband' }] },
];
const PORTS = wanInterfacesByMac(GATEWAYS);
const row = (over: Partial<PeerPathIn>): PeerPathIn => ({ mac: SPOKE, port_id: 'ge-0/0/0', peer_mac: HUB, peer_port_id: 'ge-0/0/3', type: 'ipsec', up: true, is_active: true, ...over });

describe('resolvePort', () => {
  it('takes a port id as it is and a WAN name as the port that carries it, on the named gateway', () => {
    expect(resolvePort(PORTS, SPOKE, 'ge-0/0/1')).toEqual({ port_id: 'ge-0/0/1', wan_name: 'wan2' });
    expect(resolvePort(PORTS, SPOKE, 'wan2')).toEqual({ port_id: 'ge-0/0/1', wan_name: 'wan2' });
    expect(resolvePort(PORTS, HUB, 'DC_Internet')).toEqual({ port_id: 'ge-0/0/3', wan_name: 'DC_Internet' });
  });
  it('resolves nothing for an unknown gateway, an unknown port, or another gateway\'s name', () => {
    expect(resolvePort(PORTS, 'ffffffffffff', 'ge-0/0/0')).toBeNull();
    expect(resolvePort(PORTS, SPOKE, 'wan9')).toBeNull();
    expect(resolvePort(PORTS, SPOKE, 'DC_Internet')).toBeNull();
  });
});

describe('resolvePath and mapVpnPathRows', () => {
  it('gives svr rows (named by WAN name) and ipsec rows (by port id) the same port ids, names beside them', () => {
    const unresolved: Unresolved = { port: 0, peerPort: 0, paths: 0 };
    const { records } = mapVpnPathRows([
      row({ type: 'ipsec', port_id: 'ge-0/0/1' }),
      row({ type: 'svr', port_id: 'wan1', peer_port_id: 'DC_Internet' }),
    ], PORTS, unresolved);
    expect(records.map((r) => [r.path_type, r.port_id, r.wan_name, r.peer_port_id, r.peer_wan_name])).toEqual([
      ['ipsec', 'ge-0/0/1', 'wan2', 'ge-0/0/3', 'DC_Internet'],
      ['svr', 'ge-0/0/0', 'wan1', 'ge-0/0/3', 'DC_Internet'],
    ]);
    expect(unresolved).toEqual({ port: 0, peerPort: 0, paths: 0 });
  });

  it('keeps Mist\'s value for a port it cannot resolve (the name too on svr rows, none on ipsec rows) and counts it', () => {
    const unresolved: Unresolved = { port: 0, peerPort: 0, paths: 0 };
    const { records } = mapVpnPathRows([
      row({ type: 'svr', port_id: 'wan9', peer_port_id: 'DC_Internet' }),
      row({ type: 'ipsec', port_id: 'ge-0/0/0', peer_mac: 'aaaaaaaaaaaa', peer_port_id: 'ge-0/0/0' }),
      row({ type: 'ipsec', mac: 'bbbbbbbbbbbb', port_id: 'ge-0/0/7', peer_port_id: 'ge-0/0/9' }),
    ], PORTS, unresolved);
    expect(records.map((r) => [r.port_id, r.wan_name, r.peer_port_id, r.peer_wan_name])).toEqual([
      ['wan9', 'wan9', 'ge-0/0/3', 'DC_Internet'],
      ['ge-0/0/0', 'wan1', 'ge-0/0/0', null],
      ['ge-0/0/7', null, 'ge-0/0/9', null],
    ]);
    expect(unresolved).toEqual({ port: 2, peerPort: 2, paths: 3 });
    // The records say which (mist_vpn_path_port_unresolved, mist_vpn_path_peer_port_unresolved).
    expect(records.map((r) => [r.port_resolved, r.peer_port_resolved])).toEqual([[false, true], [true, false], [false, false]]);
  });

  it('resolves before identity: a path reported once by name and once by port id is one series to its readers', () => {
    const { records, dropped } = mapVpnPathRows([row({ type: 'svr', port_id: 'wan1' }), row({ type: 'svr', port_id: 'ge-0/0/0' })], PORTS);
    // Stored as they come (the mapping drops nothing); every reader keeps the first (src/metrics/identity.ts).
    expect(dropped).toEqual({});
    expect(records).toHaveLength(2);
    const read = dropRepeats(vpnPeersCatalogue, 'o', records);
    expect(read).toEqual({ records: [records[0]], repeats: 1 });
  });

  it('is pure: the input record is not changed', () => {
    const record = mapVpnPathRows([row({ type: 'svr', port_id: 'lte' })]).records[0]!;
    const copy = structuredClone(record);
    expect(resolvePath(record, PORTS).record).toMatchObject({ port_id: 'cl-1/0/0', wan_name: 'lte' });
    expect(record).toEqual(copy);
  });
});

describe('vpnPeersFamily.run', () => {
  const api = (rows: PeerPathIn[]): MistApi => ({
    pages: (async function* () { yield { records: rows, dropped: {}, cursor: null } as unknown as Page<never>; }) as unknown as MistApi['pages'],
    getOne: () => Promise.reject(new Error('not used')),
    count: () => Promise.reject(new Error('not used')),
  });
  const run = async (rows: PeerPathIn[], gateways: readonly unknown[] | null) => {
    const { log, lines } = captureLog('warn');
    const ctx: FamilyContext = {
      orgId: 'org-1', api: api(rows), signal: new AbortController().signal, log, settings: defaultFamilySettings(), callBudget: Infinity,
      readRecords: recordReader((family) => (family === 'gateways' ? gateways : null)), readState: () => Promise.resolve(null),
    };
    const pages: FamilyPage<VpnPathRecord>[] = [];
    for await (const page of vpnPeersFamily.run(ctx, null)) pages.push(page);
    return { records: pages.flatMap((p) => p.records), lines };
  };

  it('resolves ports through the stored gateways snapshot and logs the unresolved ones with their count', async () => {
    const { records, lines } = await run([row({ type: 'svr', port_id: 'wan2' }), row({ type: 'svr', port_id: 'wan7' })], GATEWAYS);
    expect(records.map((r) => r.port_id)).toEqual(['ge-0/0/1', 'wan7']);
    expect(lines.join('\n')).toMatch(/"paths":1,"port":1,"peer_port":0.*keep what Mist reports/);
  });

  it('keeps Mist\'s values without a gateways snapshot, and says why', async () => {
    const { records, lines } = await run([row({ type: 'svr', port_id: 'wan2' })], null);
    expect(records.map((r) => r.port_id)).toEqual(['wan2']);
    expect(lines.join('\n')).toMatch(/no gateways snapshot/);
    expect(lines.join('\n')).toMatch(/"paths":1/);
  });
});
