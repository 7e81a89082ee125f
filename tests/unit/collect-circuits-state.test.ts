import { describe, expect, it } from 'vitest';
import { DEFAULT_CIRCUIT_ROLES, parseCircuitRoles } from '../../src/collect/circuit-roles.js';
import { defaultFamilySettings, recordReader, type FamilyContext, type FamilyPage } from '../../src/collect/family.js';
import { deriveCircuits, type CircuitPort } from '../../src/families/circuits/collect.js';
import { GATEWAY_MISSING_RETENTION_SECONDS, HOLD_MAX_CYCLES, keepMissing, type GatewayActive } from '../../src/families/circuits/failovers.js';
import { circuitsFamily } from '../../src/families/circuits/index.js';
import type { CircuitsRecord } from '../../src/families/circuits/records.js';
import type { MistApi } from '../../src/mist/types.js';
import { encodeLabels, WAN_PORT_ACTIVE_CHANGES, WAN_PORT_FAILOVERS } from '../../src/store/counters.js';
import { captureLog } from '../support/redis-store.js';

/**
 * The circuits family's state across outages and missing gateways: it holds (counts nothing, keeps the last
 * observation) until the events family has read past its last replay, reads the events family's state (not its
 * snapshot, which expires), and keeps a gateway missing from one ports snapshot for a bounded time.
 */
const RULES = parseCircuitRoles(DEFAULT_CIRCUIT_ROLES).rules;
const ORG = 'org-1';
const SITE = 'site-1';
const T0 = 1_790_000_000;
const PORTS = ['ge-0/0/0', 'ge-0/0/1'];
const port = (port_id: string, up: boolean, mac = 'gw1'): CircuitPort =>
  ({ site_id: SITE, mac, port_id, wan_name: port_id === 'ge-0/0/0' ? 'wan1' : 'wan2', wan_type: 'broadband', up, speed_bytes_per_second: 125_000_000 });
/** A spoke with wan1 primary, wan2 secondary; the primary up or down. */
const spoke = (primaryUp: boolean, mac = 'gw1'): CircuitPort[] => [port('ge-0/0/0', primaryUp, mac), port('ge-0/0/1', true, mac)];
const onPrimary = (extra: Partial<GatewayActive> = {}): GatewayActive => ({ site_id: SITE, active_port_id: 'ge-0/0/0', active_role: 'primary', port_ids: PORTS, ...extra });
const field = (from: string, to: string, mac = 'gw1') => encodeLabels({ org_id: ORG, site_id: SITE, mac, port_id: from, to_port_id: to });
const FAILOVER = {
  [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 },
  [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1, [field('ge-0/0/1', 'ge-0/0/0')]: 1 },
};
/** The primary's down and up, both between two cycles (invisible to the two observations). */
const flap = new Map([['gw1', [{ port_id: 'ge-0/0/0', at: T0 + 10, up: false }, { port_id: 'ge-0/0/0', at: T0 + 40, up: true }]]]);

describe('deriveCircuits: holding until the events are read', () => {
  it('counts nothing and keeps the previous observation while held, then replays the gap from it', () => {
    const previous = new Map([['gw1', onPrimary()]]);
    // After an outage: the primary failed and came back; now on the primary again, events not read yet.
    const held = deriveCircuits({ orgId: ORG, ports: spoke(true), paths: [], previous, transitions: null, hold: true, rules: RULES });
    expect(held.counters).toEqual({});
    expect(held.gateways.gw1).toEqual(onPrimary());
    const replayed = deriveCircuits({ orgId: ORG, ports: spoke(true), paths: [], previous: new Map(Object.entries(held.gateways)), transitions: flap, rules: RULES });
    expect(replayed.counters).toEqual(FAILOVER);
  });

  it('keeps the held observation even when the current one differs (the replay decides), and still starts new gateways at 0', () => {
    const previous = new Map([['gw1', onPrimary()]]);
    const held = deriveCircuits({ orgId: ORG, ports: [...spoke(false), ...spoke(true, 'gw2')], paths: [], previous, transitions: null, hold: true, rules: RULES });
    expect(held.gateways.gw1).toEqual(onPrimary());
    expect(held.records.find((r) => r.kind === 'gateway' && r.mac === 'gw1')).toMatchObject({ active_port_id: 'ge-0/0/1' }); // the gauge is current
    expect(held.counters).toEqual({
      [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1', 'gw2')]: 0 },
      [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1', 'gw2')]: 0, [field('ge-0/0/1', 'ge-0/0/0', 'gw2')]: 0 },
    });
  });
});

describe('keepMissing: a gateway missing from the ports snapshot', () => {
  it('keeps its last observation, marked with the events cursor when it went missing, for GATEWAY_MISSING_RETENTION_SECONDS', () => {
    const previous = new Map([['gw1', onPrimary()], ['gw2', onPrimary()]]);
    const first = keepMissing(previous, new Set(['gw1']), T0);
    expect(first).toEqual({ gw2: onPrimary({ missing_since: T0 }) });
    const later = new Map(Object.entries(first));
    expect(keepMissing(later, new Set(), T0 + GATEWAY_MISSING_RETENTION_SECONDS)).toEqual({ gw2: onPrimary({ missing_since: T0 }) });
    expect(keepMissing(later, new Set(), T0 + GATEWAY_MISSING_RETENTION_SECONDS + 1)).toEqual({});
  });

  it('forgets it at once without a clock (no events cursor)', () => {
    expect(keepMissing(new Map([['gw2', onPrimary()]]), new Set(), null)).toEqual({});
  });

  it('lets a gateway back after one missing snapshot count the failover it missed (not start over as new)', () => {
    const base = { orgId: ORG, paths: [], rules: RULES, transitions: null };
    const a = deriveCircuits({ ...base, ports: [...spoke(true), ...spoke(true, 'gw2')], previous: new Map(), clock: T0 });
    const b = deriveCircuits({ ...base, ports: spoke(true, 'gw2'), previous: new Map(Object.entries(a.gateways)), clock: T0 + 60 });
    expect(b.gateways.gw1).toEqual(onPrimary({ missing_since: T0 + 60 }));
    const c = deriveCircuits({ ...base, ports: [...spoke(false), ...spoke(true, 'gw2')], previous: new Map(Object.entries(b.gateways)), clock: T0 + 120 });
    expect(c.counters).toEqual({ [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 }, [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 } });
    expect(c.gateways.gw1).not.toHaveProperty('missing_since');
  });
});

describe('circuitsFamily.run: the events family\'s state', () => {
  const noApi: MistApi = {
    pages: () => { throw new Error('circuits must not call Mist'); },
    getOne: () => Promise.reject(new Error('circuits must not call Mist')),
    count: () => Promise.reject(new Error('circuits must not call Mist')),
  };
  const wanPorts = (primaryUp: boolean) => spoke(primaryUp).map((p) => ({
    ...p, disabled: false, rx_bytes: null, tx_bytes: null, rx_packets: null, tx_packets: null, last_flapped_seconds: null, jitter_seconds: null, latency_seconds: null, loss_ratio: null,
  }));
  const eventsAt = (until: number) => [
    { kind: 'cursor', until_seconds: until, seen: [] },
    { kind: 'port', site_id: SITE, mac: 'gw1', port_id: 'ge-0/0/0', last_flap_seconds: T0 + 40, transitions: [[T0 + 10, false], [T0 + 40, true]] },
  ];
  /** One cycle: snapshots by family, states by family (`circuits`: its own). */
  const cycle = async (snapshots: Record<string, readonly unknown[]>, states: Record<string, unknown>): Promise<FamilyPage<CircuitsRecord>> => {
    const { log } = captureLog('warn');
    const ctx: FamilyContext = {
      orgId: ORG, api: noApi, signal: new AbortController().signal, log, settings: defaultFamilySettings({ circuitRoles: RULES }), callBudget: Infinity,
      readRecords: recordReader((family) => snapshots[family] ?? null), readState: (family = 'circuits') => Promise.resolve(states[family] ?? null),
    };
    let last: FamilyPage<CircuitsRecord> | undefined;
    for await (const page of circuitsFamily.run(ctx, null)) last = page;
    return last!;
  };
  const saved = { events_until: T0, gateways: { gw1: onPrimary() } };

  it('after an outage (no events snapshot, events cursor not past the last replay) holds, then counts the gap once events has read it', async () => {
    const held = await cycle({ 'wan-ports': wanPorts(true) }, { circuits: saved, events: eventsAt(T0).slice(0, 1) });
    expect(held.counters).toBeUndefined();
    expect(held.state).toEqual({ ...saved, held_cycles: 1 });
    const after = await cycle({ 'wan-ports': wanPorts(true) }, { circuits: held.state, events: eventsAt(T0 + 600) });
    expect(after.counters).toEqual(FAILOVER);
    expect(after.state).toEqual({ events_until: T0 + 600, gateways: { gw1: onPrimary() } });
  });

  it('holds at most HOLD_MAX_CYCLES cycles: then (events failing) compares the observations and gives up the replay', async () => {
    let state: unknown = saved;
    const events = eventsAt(T0).slice(0, 1);
    for (let i = 1; i <= HOLD_MAX_CYCLES; i++) {
      const page = await cycle({ 'wan-ports': wanPorts(false) }, { circuits: state, events });
      expect(page.counters, `cycle ${i}`).toBeUndefined();
      expect(page.state).toMatchObject({ events_until: T0, held_cycles: i });
      state = page.state;
    }
    const page = await cycle({ 'wan-ports': wanPorts(false) }, { circuits: state, events });
    expect(page.counters).toEqual({ [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 }, [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 } });
    expect(page.state).toEqual({ events_until: null, gateways: { gw1: { ...onPrimary(), active_port_id: 'ge-0/0/1', active_role: 'secondary' } } });
  });

  it('reads the events state, not the snapshot, when both exist; the snapshot only before the state key existed', async () => {
    const stale = eventsAt(T0).slice(0, 1);
    expect((await cycle({ 'wan-ports': wanPorts(true), events: stale }, { circuits: saved, events: eventsAt(T0 + 60) })).counters).toEqual(FAILOVER);
    expect((await cycle({ 'wan-ports': wanPorts(true), events: eventsAt(T0 + 60) }, { circuits: saved })).counters).toEqual(FAILOVER);
  });

  it('compares only the two observations when the events no longer reach back to the last replay (more than a day)', async () => {
    const old = { events_until: T0 - 2 * 86_400, gateways: { gw1: onPrimary() } };
    const page = await cycle({ 'wan-ports': wanPorts(false) }, { circuits: old, events: eventsAt(T0 + 60) });
    expect(page.counters).toEqual({ [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 }, [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 } });
  });
});
