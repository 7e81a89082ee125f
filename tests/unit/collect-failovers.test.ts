import { describe, expect, it } from 'vitest';
import { encodeLabels, WAN_PORT_ACTIVE_CHANGES, WAN_PORT_FAILOVERS } from '../../src/store/counters.js';
import { countFailovers, type FailoverInput, type GatewayActive, type PortTransition } from '../../src/families/circuits/failovers.js';

const ORG = 'org-1';
const SITE = 'site-1';
const T = 1_790_000_000;
/** An SRX in role order: wan1 primary, wan2 secondary, LTE tertiary. */
const PORTS = [
  { port_id: 'ge-0/0/0', role: 'primary', up: true }, { port_id: 'ge-0/0/1', role: 'secondary', up: true }, { port_id: 'cl-1/0/0', role: 'tertiary', up: true },
];
const IDS = PORTS.map((p) => p.port_id);
const was = (active: string | null, role: string | null = active === null ? null : 'primary'): GatewayActive =>
  ({ site_id: SITE, active_port_id: active, active_role: role, port_ids: IDS });
const field = (from: string, to: string) => encodeLabels({ org_id: ORG, site_id: SITE, mac: 'gw1', port_id: from, to_port_id: to });
const t = (port_id: string, at: number, up: boolean): PortTransition => ({ port_id, at, up });
const count = (over: Partial<FailoverInput>) =>
  countFailovers({ orgId: ORG, siteId: SITE, mac: 'gw1', ports: PORTS, previous: was('ge-0/0/0'), current: 'ge-0/0/0', transitions: null, ...over });
const nonZero = (c: Record<string, Record<string, number>>): Record<string, Record<string, number>> => {
  const out: Record<string, Record<string, number>> = {};
  for (const [group, fields] of Object.entries(c)) {
    const kept = Object.entries(fields).filter(([, n]) => n !== 0);
    if (kept.length > 0) out[group] = Object.fromEntries(kept);
  }
  return out;
};

describe('countFailovers (per circuit, between two cycles)', () => {
  it('counts nothing the first time a gateway is seen, but starts every pair of its ports at 0', () => {
    const out = count({ previous: undefined, current: 'ge-0/0/1' });
    expect(out.changes).toBe(0);
    expect(Object.keys(out.counters[WAN_PORT_ACTIVE_CHANGES]!)).toHaveLength(6);
    expect(out.counters[WAN_PORT_FAILOVERS]).toEqual({ [field('ge-0/0/0', 'ge-0/0/1')]: 0, [field('ge-0/0/0', 'cl-1/0/0')]: 0 });
    expect(nonZero(out.counters)).toEqual({});
  });

  it('initialises only the pairs of a port new to the gateway', () => {
    const out = count({ previous: { ...was('ge-0/0/0'), port_ids: ['ge-0/0/0', 'ge-0/0/1'] } });
    expect(Object.keys(out.counters[WAN_PORT_ACTIVE_CHANGES]!).sort()).toEqual(
      [field('ge-0/0/0', 'cl-1/0/0'), field('ge-0/0/1', 'cl-1/0/0'), field('cl-1/0/0', 'ge-0/0/0'), field('cl-1/0/0', 'ge-0/0/1')].sort());
  });

  it('starts every pair at 0 again at a new site when the gateway moved, and counts its failover there', () => {
    const out = count({ previous: { ...was('ge-0/0/0'), site_id: 'site-0' }, current: 'ge-0/0/1' });
    expect(Object.keys(out.counters[WAN_PORT_ACTIVE_CHANGES]!)).toHaveLength(6);
    expect(out.counters[WAN_PORT_FAILOVERS]).toEqual({ [field('ge-0/0/0', 'ge-0/0/1')]: 1, [field('ge-0/0/0', 'cl-1/0/0')]: 0 });
  });

  it('counts primary → secondary as a failover and a change of that pair; fail-back and secondary → tertiary as changes only', () => {
    expect(count({ current: 'ge-0/0/1' }).counters).toEqual({ [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 }, [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 } });
    expect(count({ previous: was('ge-0/0/1', 'secondary'), current: 'ge-0/0/0' }).counters).toEqual({ [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/1', 'ge-0/0/0')]: 1 } });
    expect(count({ previous: was('ge-0/0/1', 'secondary'), current: 'cl-1/0/0' }).counters).toEqual({ [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/1', 'cl-1/0/0')]: 1 } });
  });

  it('counts nothing when the gateway goes down (no active circuit), nor when it comes back on another circuit', () => {
    expect(count({ current: null }).counters).toEqual({});
    expect(count({ previous: was(null), current: 'ge-0/0/1' }).counters).toEqual({});
  });

  it('sees a failover and fail-back between two cycles in the primary\'s down and up events', () => {
    const out = count({ transitions: [t('ge-0/0/0', T + 10, false), t('ge-0/0/0', T + 70, true)] });
    expect(out.counters).toEqual({
      [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 },
      [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1, [field('ge-0/0/1', 'ge-0/0/0')]: 1 },
    });
  });

  it('applies the transitions of one instant together: a gateway losing every port is no failover', () => {
    const all = (at: number, up: boolean) => IDS.map((id) => t(id, at, up));
    expect(count({ transitions: [...all(T + 10, false), ...all(T + 90, true)] }).counters).toEqual({});
  });

  it('replays a failover to the secondary, then to LTE, and the fail-back, when both primary and secondary flap', () => {
    const out = count({ transitions: [t('ge-0/0/0', T + 10, false), t('ge-0/0/1', T + 20, false), t('ge-0/0/1', T + 30, true), t('ge-0/0/0', T + 40, true)] });
    expect(out.changes).toBe(4);
    expect(nonZero(out.counters)).toEqual({
      [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 },
      [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1, [field('ge-0/0/1', 'cl-1/0/0')]: 1, [field('cl-1/0/0', 'ge-0/0/1')]: 1, [field('ge-0/0/1', 'ge-0/0/0')]: 1 },
    });
  });

  it('ends where it observes the gateway now: a replay that ends elsewhere counts one more move', () => {
    // Events say the primary is back, the observation (VPN paths) says the secondary still carries traffic.
    const out = count({ current: 'ge-0/0/1', transitions: [t('ge-0/0/0', T + 10, false), t('ge-0/0/0', T + 20, true)] });
    expect(nonZero(out.counters)).toEqual({
      [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 2 },
      [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 2, [field('ge-0/0/1', 'ge-0/0/0')]: 1 },
    });
  });

  it('counts a failover once when the events are newer than the ports snapshot, remembering where the events left it', () => {
    // The ports snapshot still has the primary up; the events already saw it go down.
    const first = count({ current: 'ge-0/0/0', transitions: [t('ge-0/0/0', T + 10, false)] });
    expect(nonZero(first.counters)).toEqual({ [WAN_PORT_FAILOVERS]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 }, [WAN_PORT_ACTIVE_CHANGES]: { [field('ge-0/0/0', 'ge-0/0/1')]: 1 } });
    expect(first.active).toBe('ge-0/0/1');
    // Next cycle the ports snapshot has caught up: nothing more.
    const down = PORTS.map((p) => (p.port_id === 'ge-0/0/0' ? { ...p, up: false } : p));
    expect(nonZero(count({ ports: down, previous: was('ge-0/0/1', 'secondary'), current: 'ge-0/0/1', transitions: [] }).counters)).toEqual({});
  });

  it('does not move a gateway its own policy keeps on the secondary when an unrelated port flaps', () => {
    const out = count({ previous: was('ge-0/0/1', 'secondary'), current: 'ge-0/0/1', transitions: [t('cl-1/0/0', T + 10, false), t('cl-1/0/0', T + 20, true)] });
    expect(nonZero(out.counters)).toEqual({});
    expect(out.active).toBe('ge-0/0/1');
  });
});
