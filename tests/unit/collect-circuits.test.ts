import { describe, expect, it } from 'vitest';
import { defaultFamilySettings, type FamilyContext, type FamilyPage, recordReader } from '../../src/collect/family.js';
import { DEFAULT_CIRCUIT_ROLES, parseCircuitRoles, roleRanker } from '../../src/collect/circuit-roles.js';
import { decodeLabels, encodeLabels, WAN_PORT_ACTIVE_CHANGES, WAN_PORT_FAILOVERS } from '../../src/store/counters.js';
import type { GatewayActive } from '../../src/families/circuits/failovers.js';
import { activeCircuit, deriveCircuits, MissingInput, type CircuitPath, type CircuitPort } from '../../src/families/circuits/collect.js';
import { circuitsFamily } from '../../src/families/circuits/index.js';
import type { CircuitGatewayRecord, CircuitRecord, CircuitsRecord } from '../../src/families/circuits/records.js';
import type { WanPortRecord } from '../../src/families/wan-ports/records.js';
import type { MistApi } from '../../src/mist/types.js';
import { captureLog } from '../support/redis-store.js';

const RULES = parseCircuitRoles(DEFAULT_CIRCUIT_ROLES).rules;
const rank = roleRanker(RULES);
const ORG = 'org-1';
const SITE = 'site-1';
const T0 = 1_790_000_000;

const port = (port_id: string, wan_name: string, up: boolean | null = true, mac = 'gw1', wan_type = wan_name === 'lte' ? 'lte' : 'broadband'): CircuitPort =>
  ({ site_id: SITE, mac, port_id, wan_name, wan_type, up, speed_bytes_per_second: 125_000_000 });
const path = (port_id: string, is_active: boolean, up: boolean | null = true, mac = 'gw1'): CircuitPath => ({ mac, port_id, up, is_active });

/** An SRX spoke: wan1 primary, wan2 secondary, LTE tertiary. */
const srx = (up: [boolean, boolean, boolean] = [true, true, true], mac = 'gw1'): CircuitPort[] =>
  [port('ge-0/0/0', 'wan1', up[0], mac), port('ge-0/0/1', 'wan2', up[1], mac), port('cl-1/0/0', 'lte', up[2], mac)];
const ROLES = new Map([['ge-0/0/0', 'primary'], ['ge-0/0/1', 'secondary'], ['cl-1/0/0', 'tertiary']]);

describe('activeCircuit', () => {
  it('is the port carrying the gateway\'s active VPN paths (SRX rows name it by port id)', () => {
    const paths = [path('ge-0/0/0', false), path('ge-0/0/0', false), path('ge-0/0/1', true), path('cl-1/0/0', false)];
    expect(activeCircuit(srx(), ROLES, paths, rank)).toEqual({ port_id: 'ge-0/0/1', role: 'secondary', source: 'vpn' });
  });

  it('matches SSR rows, which name ports by WAN interface name', () => {
    const ports = [port('ge-0/0/0', 'mpls'), port('lte-0/0/0', 'lte')];
    const roles = new Map([['ge-0/0/0', 'primary'], ['lte-0/0/0', 'secondary']]);
    expect(activeCircuit(ports, roles, [path('mpls', false), path('lte', true), path('lte', false)], rank)).toEqual({ port_id: 'lte-0/0/0', role: 'secondary', source: 'vpn' });
  });

  it('ignores inactive and down paths; the port with the most active paths wins, then role order', () => {
    expect(activeCircuit(srx(), ROLES, [path('ge-0/0/1', true, false), path('ge-0/0/0', true)], rank)?.port_id).toBe('ge-0/0/0');
    expect(activeCircuit(srx(), ROLES, [path('ge-0/0/1', true), path('ge-0/0/1', true), path('ge-0/0/0', true)], rank)?.port_id).toBe('ge-0/0/1');
    expect(activeCircuit(srx(), ROLES, [path('ge-0/0/1', true), path('ge-0/0/0', true)], rank)?.port_id).toBe('ge-0/0/0');
  });

  it('does not trust an older peers snapshot over the ports: a port reported down is not active', () => {
    expect(activeCircuit(srx([false, true, true]), ROLES, [path('ge-0/0/0', true)], rank)).toEqual({ port_id: 'ge-0/0/1', role: 'secondary', source: 'ports' });
  });

  it('falls back to the first up circuit by role without VPN paths (the up primary, else the next)', () => {
    expect(activeCircuit(srx(), ROLES, [], rank)).toEqual({ port_id: 'ge-0/0/0', role: 'primary', source: 'ports' });
    expect(activeCircuit(srx([false, true, true]), ROLES, [], rank)?.port_id).toBe('ge-0/0/1');
    expect(activeCircuit(srx([false, false, true]), ROLES, [], rank)?.port_id).toBe('cl-1/0/0');
    // Paths that name no port of the gateway, or none active: the same fallback.
    expect(activeCircuit(srx(), ROLES, [path('ge-9/9/9', true), path('ge-0/0/1', false)], rank)).toMatchObject({ port_id: 'ge-0/0/0', source: 'ports' });
  });

  it('is none when every circuit is down or its state unknown (gateway down or disconnected)', () => {
    expect(activeCircuit(srx([false, false, false]), ROLES, [], rank)).toBeNull();
    expect(activeCircuit([port('ge-0/0/0', 'wan1', null)], ROLES, [], rank)).toBeNull();
  });
});

/** Runs deriveCircuits cycle after cycle, carrying its gateway observations over as the next previous state (no events). */
function cycles(steps: { ports: CircuitPort[]; paths: CircuitPath[] }[]) {
  let previous = new Map<string, GatewayActive>();
  return steps.map(({ ports, paths }) => {
    const out = deriveCircuits({ orgId: ORG, ports, paths, previous, transitions: null, rules: RULES });
    previous = new Map(Object.entries(out.gateways));
    return out;
  });
}
const field = (from: string, to: string, mac = 'gw1') => encodeLabels({ org_id: ORG, site_id: SITE, mac, port_id: from, to_port_id: to });
const SRX_PORTS = ['ge-0/0/0', 'ge-0/0/1', 'cl-1/0/0'];
/** The 0s of a new SRX gateway: every ordered pair for changes, primary → other for failovers. */
const zeros = (mac = 'gw1') => ({
  [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1', mac)]: 0, [field('ge-0/0/0', 'cl-1/0/0', mac)]: 0 },
  [WAN_PORT_ACTIVE_CHANGES]: Object.fromEntries(SRX_PORTS.flatMap((a) => SRX_PORTS.filter((b) => b !== a).map((b) => [field(a, b, mac), 0]))),
});

describe('deriveCircuits', () => {
  it('writes one circuit record per WAN port (role, active) and one gateway record per gateway', () => {
    const [out] = cycles([{ ports: [...srx([true, true, true], 'gw1'), ...srx([false, false, false], 'gw2')], paths: [path('ge-0/0/1', true)] }]);
    const byKey = (r: CircuitRecord | CircuitGatewayRecord): string => (r.kind === 'circuit' ? `${r.mac} ${r.port_id} ${r.role} ${r.active}` : `${r.mac} active=${r.active_port_id} ${r.active_role} ${r.active_source}`);
    expect(out!.records.map(byKey)).toEqual([
      'gw1 cl-1/0/0 tertiary false', 'gw1 ge-0/0/0 primary false', 'gw1 ge-0/0/1 secondary true', 'gw1 active=ge-0/0/1 secondary vpn',
      'gw2 cl-1/0/0 tertiary false', 'gw2 ge-0/0/0 primary false', 'gw2 ge-0/0/1 secondary false', 'gw2 active=null null null',
    ]);
  });

  it('starts every pair of a gateway\'s circuits at 0 the first time it is seen, so the first failover is an increase', () => {
    const [first, second] = cycles([{ ports: srx(), paths: [] }, { ports: [...srx(), ...srx(undefined, 'gw2')], paths: [] }]);
    expect(first!.counters).toEqual(zeros());
    expect(second!.counters).toEqual(zeros('gw2'));
    expect(decodeLabels(field('ge-0/0/0', 'cl-1/0/0', 'gw2'))).toEqual({ org_id: ORG, site_id: SITE, mac: 'gw2', port_id: 'ge-0/0/0', to_port_id: 'cl-1/0/0' });
  });

  it('counts a primary → secondary failover once, and nothing while the gateway stays failed over', () => {
    const onPrimary = { ports: srx(), paths: [path('ge-0/0/0', true), path('ge-0/0/1', false)] };
    const failed = { ports: srx([false, true, true]), paths: [path('ge-0/0/1', true)] };
    const [, over, still] = cycles([onPrimary, failed, failed]);
    expect(over!.counters).toEqual({ [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 }, [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 } });
    expect(still!.counters).toEqual({});
  });

  it('counts secondary → tertiary and the fail-back to primary as changes only', () => {
    const steps = [
      { ports: srx([false, true, true]), paths: [path('ge-0/0/1', true)] },
      { ports: srx([false, false, true]), paths: [path('cl-1/0/0', true)] },
      { ports: srx(), paths: [path('ge-0/0/0', true)] },
    ];
    const [, tertiary, back] = cycles(steps);
    expect(tertiary!.counters).toEqual({ [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/1', 'cl-1/0/0')]: 1 } });
    expect(back!.counters).toEqual({ [WAN_PORT_ACTIVE_CHANGES]: { [field('cl-1/0/0', 'ge-0/0/0')]: 1 } });
  });

  it('counts no failover when the gateway goes down (no active circuit) and comes back on its secondary', () => {
    const [, down, back] = cycles([
      { ports: srx(), paths: [path('ge-0/0/0', true)] },
      { ports: srx([false, false, false]), paths: [] },
      { ports: srx([false, true, true]), paths: [path('ge-0/0/1', true)] },
    ]);
    expect(down!.counters).toEqual({});
    expect(down!.records.find((r) => r.kind === 'gateway')).toMatchObject({ active_port_id: null, active_role: null });
    expect(back!.counters).toEqual({});
  });

  it('detects an SSR failover from svr rows named by WAN interface name', () => {
    const ports = (mplsUp: boolean) => [port('ge-0/0/0', 'mpls', mplsUp), port('lte-0/0/0', 'lte')];
    const [, over] = cycles([{ ports: ports(true), paths: [path('mpls', true), path('lte', false)] }, { ports: ports(false), paths: [path('lte', true)] }]);
    expect(over!.counters[WAN_PORT_FAILOVERS]).toEqual({ [field('ge-0/0/0', 'lte-0/0/0')]: 1 });
    expect(over!.records.filter((r) => r.kind === 'circuit' && r.active)).toMatchObject([{ port_id: 'lte-0/0/0', role: 'secondary' }]);
  });

  it('counts only the gateway that failed over', () => {
    const both = (gw1: [boolean, boolean, boolean]) => ({ ports: [...srx(gw1, 'gw1'), ...srx(undefined, 'gw2')], paths: [] });
    const [, over] = cycles([both([true, true, true]), both([false, true, true])]);
    expect(over!.counters).toEqual({ [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 }, [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 } });
  });
});

describe('circuitsFamily.run (reads snapshots, makes no Mist call)', () => {
  const noApi: MistApi = {
    pages: () => { throw new Error('circuits must not call Mist'); },
    getOne: () => Promise.reject(new Error('circuits must not call Mist')),
    count: () => Promise.reject(new Error('circuits must not call Mist')),
  };
  const wanPort = (p: CircuitPort): WanPortRecord => ({
    ...p, disabled: false, rx_bytes: null, tx_bytes: null, rx_packets: null,
    tx_packets: null, last_flapped_seconds: null, jitter_seconds: null, latency_seconds: null, loss_ratio: null,
  });
  const ctxWith = (snapshots: Record<string, readonly unknown[]>, state: unknown = null) => {
    const { log, lines } = captureLog('warn');
    const unreadable: Record<string, number> = {};
    const ctx: FamilyContext = {
      orgId: ORG, api: noApi, signal: new AbortController().signal, log, settings: defaultFamilySettings({ circuitRoles: RULES }), callBudget: Infinity,
      readRecords: recordReader((family) => snapshots[family] ?? null, unreadable), readState: () => Promise.resolve(state),
    };
    return { ctx, lines, unreadable };
  };
  const run = async (ctx: FamilyContext): Promise<FamilyPage<CircuitsRecord>[]> => {
    const pages: FamilyPage<CircuitsRecord>[] = [];
    for await (const page of circuitsFamily.run(ctx, null)) pages.push(page);
    return pages;
  };

  it('costs no call, is not resumable (its pages carry counter increments) and runs every minute', () => {
    expect(circuitsFamily.callsPerCycle({ sites: 3208, sitegroups: 14, gateways: 3208, 'wan-ports': 14_008, 'vpn-peers': 19_652 })).toBe(0);
    expect(circuitsFamily.resumable).toBe(false);
    expect(circuitsFamily.defaultIntervalSeconds).toBe(60);
  });

  it('fails the cycle without a wan-ports snapshot (the last good circuits snapshot stays)', async () => {
    await expect(run(ctxWith({}).ctx)).rejects.toBeInstanceOf(MissingInput);
    await expect(run(ctxWith({}).ctx)).rejects.toMatchObject({ code: 'E_COLLECT_NO_INPUT' });
  });

  it('falls back to the ports without a vpn-peers snapshot, and says so', async () => {
    const { ctx, lines } = ctxWith({ 'wan-ports': srx([false, true, true]).map(wanPort) });
    const [page] = await run(ctx);
    expect(page!.records.find((r) => r.kind === 'gateway')).toMatchObject({ active_port_id: 'ge-0/0/1', active_source: 'ports' });
    expect(lines.join('\n')).toMatch(/no vpn-peers snapshot/);
  });

  it('reads its own previous gateway records (before the state existed) and counts the failover on the last page; unreadable records are dropped and counted', async () => {
    const previous: CircuitGatewayRecord = { kind: 'gateway', site_id: SITE, mac: 'gw1', active_port_id: 'ge-0/0/0', active_role: 'primary', active_source: 'vpn' };
    const many = Array.from({ length: 700 }, (_, i) => srx([true, true, true], `gw${String(i + 2).padStart(4, '0')}`).map(wanPort)).flat();
    const { ctx, unreadable } = ctxWith({
      'wan-ports': [...srx([false, true, true]).map(wanPort), ...many, { mac: 'broken' }],
      'vpn-peers': [path('ge-0/0/1', true), { port_id: 'no mac' }],
      circuits: [previous, { kind: 'gateway', mac: 'no site' }],
    });
    const pages = await run(ctx);
    // 701 gateways × 3 circuits + 701 gateway records = 2,804 records: pages of 1,000.
    expect(pages.map((p) => p.records.length)).toEqual([1000, 1000, 804]);
    expect(pages.map((p) => p.cursor)).toEqual([null, null, null]);
    expect(unreadable).toEqual({
      'unreadable wan-ports record in the store': 1, 'unreadable vpn-peers record in the store': 1, 'unreadable circuits record in the store': 1,
    });
    expect(pages.slice(0, 2).map((p) => p.counters)).toEqual([undefined, undefined]);
    const counters = pages[2]!.counters!;
    expect(counters[WAN_PORT_FAILOVERS]![field('ge-0/0/0', 'ge-0/0/1')]).toBe(1);
    // Every pair of the 701 gateways starts at 0 (gw1's ports were not in the old records); one failover.
    expect(Object.values(counters[WAN_PORT_FAILOVERS]!).sort()).toEqual([...Array<number>(701 * 2 - 1).fill(0), 1]);
    expect(pages[2]!.state).toMatchObject({ events_until: null, gateways: { gw1: { active_port_id: 'ge-0/0/1', active_role: 'secondary', port_ids: ['cl-1/0/0', 'ge-0/0/0', 'ge-0/0/1'] } } });
  });

  it('replays a failover and fail-back between two cycles from the events snapshot\'s port transitions', async () => {
    const state = { events_until: T0, gateways: { gw1: { site_id: SITE, active_port_id: 'ge-0/0/0', active_role: 'primary', port_ids: SRX_PORTS } } };
    const events = [
      { kind: 'cursor', until_seconds: T0 + 60, seen: [] },
      { kind: 'port', site_id: SITE, mac: 'gw1', port_id: 'ge-0/0/0', last_flap_seconds: T0 + 40, transitions: [[T0 - 100, true], [T0 + 10, false], [T0 + 40, true]] },
    ];
    const { ctx } = ctxWith({ 'wan-ports': srx().map(wanPort), events }, state);
    const [page] = await run(ctx);
    expect(page!.counters).toEqual({
      [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 },
      [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1, [field('ge-0/0/1', 'ge-0/0/0')]: 1 },
    });
    expect(page!.state).toMatchObject({ events_until: T0 + 60 });
  });
});
