import { assignRoles, comparePortIds, PRIMARY, roleRanker, type CircuitRoleRule } from '../../collect/circuit-roles.js';
import { recordPages, withFinal, type FamilyContext, type FamilyPage } from '../../collect/family.js';
import { collectsTier } from '../../collect/profile.js';
import { matchInventory, portKey } from '../../inventory/match.js';
import type { CircuitContract } from '../../inventory/types.js';
import { narrowRecords, validateStored } from '../define-records.js';
import { PORT_TRANSITIONS_SECONDS } from '../events/collect.js';
import { eventsRecords, type EventsRecord } from '../events/records.js';
import { SiteRecordSchema, sitesRecords } from '../sites/records.js';
import { vpnPeersFamily } from '../vpn-peers/index.js';
import { VpnPathRecordSchema, vpnPeersRecords, type VpnPathRecord } from '../vpn-peers/records.js';
import { WanPortRecordSchema, wanPortsRecords, type WanPortRecord } from '../wan-ports/records.js';
import { circuitTerms, inventoryRecords, pinnedRoles, unmatchedSignature } from './contract.js';
import { countFailovers, CircuitsStateSchema, HOLD_MAX_CYCLES, keepMissing, type CircuitsState, type GatewayActive, type PortTransition } from './failovers.js';
import { circuitsRecords, type CircuitGatewayRecord, type CircuitRecord, type CircuitsRecord } from './records.js';

export type CircuitPort = Pick<WanPortRecord, 'site_id' | 'mac' | 'port_id' | 'wan_name' | 'wan_type' | 'up' | 'speed_bytes_per_second'>;
export type CircuitPath = Pick<VpnPathRecord, 'mac' | 'port_id' | 'up' | 'is_active'>;
export type PreviousActive = Pick<CircuitGatewayRecord, 'active_port_id' | 'active_role'>;

export interface ActiveCircuit {
  readonly port_id: string;
  readonly role: string;
  readonly source: 'vpn' | 'ports';
}

/**
 * The gateway's active circuit. The port carrying the gateway's active VPN paths (is_active, not down; most
 * such paths wins, then role order), matched by port_id (the vpn-peers family resolves svr rows' WAN names to
 * port ids; only a row it could not resolve still carries a name, hence the wan_name fallback) — unless the ports snapshot says that port is down (the peers snapshot is
 * older). Without such a port (no VPN paths, none active, or none matched): the first up port in role order
 * (the up primary if there is one). null when no port is up. Pure.
 */
export function activeCircuit(
  ports: readonly CircuitPort[], roles: ReadonlyMap<string, string>, paths: readonly CircuitPath[], rank: (role: string | undefined) => number,
): ActiveCircuit | null {
  const byPortId = new Map(ports.map((p) => [p.port_id, p]));
  const byWanName = new Map<string, CircuitPort>();
  for (const p of ports) if (!byWanName.has(p.wan_name)) byWanName.set(p.wan_name, p);
  const carried = new Map<string, number>();
  for (const path of paths) {
    if (path.is_active !== true || path.up === false) continue;
    const port = byPortId.get(path.port_id) ?? byWanName.get(path.port_id);
    if (port && port.up !== false) carried.set(port.port_id, (carried.get(port.port_id) ?? 0) + 1);
  }
  const byRole = (a: CircuitPort, b: CircuitPort): number => rank(roles.get(a.port_id)) - rank(roles.get(b.port_id)) || comparePortIds(a.port_id, b.port_id);
  const vpn = ports.filter((p) => carried.has(p.port_id)).sort((a, b) => carried.get(b.port_id)! - carried.get(a.port_id)! || byRole(a, b))[0];
  if (vpn) return { port_id: vpn.port_id, role: roles.get(vpn.port_id) ?? PRIMARY, source: 'vpn' };
  const up = ports.filter((p) => p.up === true).sort(byRole)[0];
  return up ? { port_id: up.port_id, role: roles.get(up.port_id) ?? PRIMARY, source: 'ports' } : null;
}

export interface CircuitsInput {
  readonly orgId: string;
  readonly ports: readonly CircuitPort[];
  /** The current vpn-peers snapshot's paths (empty when there is none: every gateway falls back to its ports). */
  readonly paths: readonly CircuitPath[];
  /** The previous cycle's observation per gateway MAC, from the family's state (empty on the first cycle). */
  readonly previous: ReadonlyMap<string, GatewayActive>;
  /** Per gateway MAC, its ports' GW_PORT_DOWN/UP events since the previous cycle (null: unknown; see failovers.ts). */
  readonly transitions: ReadonlyMap<string, readonly PortTransition[]> | null;
  /**
   * The events family has not read past the state's `events_until` yet (it runs after circuits; after an outage
   * its first cycle reads the gap): count nothing, keep each known gateway's previous observation, so the next
   * cycle replays the gap from it. Default false.
   */
  readonly hold?: boolean;
  /** The events cursor (server time): the clock by which gateways missing from `ports` are forgotten (keepMissing); null: none. */
  readonly clock?: number | null;
  readonly rules: readonly CircuitRoleRule[];
  /** The circuit inventory's terms by portKey(site_id, mac, port_id) (inventory/match.ts); none: speeds and CIRCUIT_ROLES only. */
  readonly contracts?: ReadonlyMap<string, CircuitContract>;
}

export interface CircuitsOutput {
  readonly records: (CircuitRecord | CircuitGatewayRecord)[];
  /** Counter group → encoded labels → delta. New ports get 0 for their pairs (series exist before the first event). */
  readonly counters: Record<string, Record<string, number>>;
  /** This cycle's observation per gateway, for the state. */
  readonly gateways: Record<string, GatewayActive>;
}

/**
 * Circuits of every gateway with WAN ports: roles (the inventory's, else CIRCUIT_ROLES': see assignRoles), the
 * contract (bandwidth per direction, provider, circuit id), the active circuit, and failover/change counts. Pure.
 */
export function deriveCircuits(input: CircuitsInput): CircuitsOutput {
  const rank = roleRanker(input.rules);
  const portsByMac = groupBy(input.ports, (p) => p.mac);
  const pathsByMac = groupBy(input.paths, (p) => p.mac);
  const records: (CircuitRecord | CircuitGatewayRecord)[] = [];
  const counters: Record<string, Record<string, number>> = {};
  const gateways: Record<string, GatewayActive> = {};
  for (const mac of [...portsByMac.keys()].sort()) {
    const ports = [...portsByMac.get(mac)!].sort((a, b) => comparePortIds(a.port_id, b.port_id));
    const siteId = ports[0]!.site_id;
    const contracts = input.contracts ?? new Map<string, CircuitContract>();
    const roles = assignRoles(ports, input.rules, pinnedRoles(contracts, siteId, mac, ports.map((p) => p.port_id)));
    const active = activeCircuit(ports, roles, pathsByMac.get(mac) ?? [], rank);
    for (const p of ports) {
      const terms = circuitTerms(p.speed_bytes_per_second, contracts.get(portKey(p.site_id, mac, p.port_id)));
      records.push({
        kind: 'circuit', site_id: p.site_id, mac, port_id: p.port_id, wan_name: p.wan_name, wan_type: p.wan_type, role: roles.get(p.port_id)!,
        active: p.port_id === active?.port_id, receive_bandwidth_bytes_per_second: terms.receive, transmit_bandwidth_bytes_per_second: terms.transmit,
        bandwidth_source: terms.source, provider: terms.provider, circuit_id: terms.circuitId,
      });
    }
    records.push({ kind: 'gateway', site_id: siteId, mac, active_port_id: active?.port_id ?? null, active_role: active?.role ?? null, active_source: active?.source ?? null });
    const inRoleOrder = ports.map((p) => ({ port_id: p.port_id, role: roles.get(p.port_id)!, up: p.up }))
      .sort((a, b) => rank(a.role) - rank(b.role) || comparePortIds(a.port_id, b.port_id));
    const previous = input.previous.get(mac);
    // Held: compared with itself, the previous observation counts nothing and stays (new ports' series still start at 0).
    const held = input.hold === true && previous !== undefined;
    const counted = countFailovers({ orgId: input.orgId, siteId, mac, ports: inRoleOrder, previous,
      current: held ? previous.active_port_id : active?.port_id ?? null,
      transitions: held ? [] : input.transitions === null ? null : input.transitions.get(mac) ?? [] });
    for (const [group, fields] of Object.entries(counted.counters)) Object.assign(counters[group] ??= {}, fields);
    gateways[mac] = { site_id: siteId, active_port_id: counted.active, active_role: counted.active === null ? null : roles.get(counted.active) ?? null, port_ids: ports.map((p) => p.port_id) };
  }
  Object.assign(gateways, keepMissing(input.previous, new Set(portsByMac.keys()), input.clock ?? null));
  return { records, counters, gateways };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** The circuits family cannot run without a wan-ports snapshot: the cycle fails and the last good one stays. */
export class MissingInput extends Error {
  readonly code = 'E_COLLECT_NO_INPUT';
}

const StoredPort = narrowRecords(wanPortsRecords, WanPortRecordSchema.pick({ site_id: true, mac: true, port_id: true, wan_name: true, wan_type: true, up: true, speed_bytes_per_second: true }));
const StoredSite = narrowRecords(sitesRecords, SiteRecordSchema.pick({ site_id: true, name: true }));
/** The last set of unmatched inventory entries warned about, by org: warned once per distinct set, not every cycle. */
const warnedUnmatched = new Map<string, string>();
const StoredPath = narrowRecords(vpnPeersRecords, VpnPathRecordSchema.pick({ mac: true, port_id: true, up: true, is_active: true }));
const StoredState = CircuitsStateSchema.nullable();

/**
 * Circuits (derived, no Mist call): the current wan-ports and vpn-peers snapshots give each WAN port its role
 * and each gateway its active circuit; the previous active circuit (the family's state: no TTL, so it survives
 * outages) and the ports' GW_PORT_DOWN/UP events in between (the events family's state) give failovers and changes
 * per circuit (failovers.ts), counted exactly once in the store's counter groups. Not resumable: its pages
 * carry counter increments.
 */
export async function* collectCircuits(ctx: FamilyContext): AsyncGenerator<FamilyPage<CircuitsRecord>> {
  /** Unreadable records of the events family's state (snapshots' are counted by ctx.readRecords). */
  const dropped: Record<string, number> = {};
  const ports = await ctx.readRecords(StoredPort);
  if (!ports) throw new MissingInput('no wan-ports snapshot: circuits are derived from it (collected first; see the wan-ports family)');
  const paths = await ctx.readRecords(StoredPath);
  if (!paths) {
    // A profile that does not collect vpn-peers (COLLECTOR_PROFILE=availability) has none by design: not a warning.
    const expected = collectsTier(ctx.settings.profile, vpnPeersFamily.priority);
    ctx.log[expected ? 'warn' : 'debug']('no vpn-peers snapshot: every gateway\'s active circuit falls back to its first up circuit by role');
  }
  const saved = StoredState.safeParse(await ctx.readState());
  if (!saved.success) ctx.log.warn('unreadable circuits state: failovers are counted from this cycle on');
  const state = saved.success ? saved.data : null;
  const previous = new Map<string, GatewayActive>(Object.entries(state?.gateways ?? {}));
  if (!state) {
    // Before the state key existed (an upgrade), the family's own snapshot held the last active circuits.
    for (const r of (await ctx.readRecords(circuitsRecords)) ?? []) {
      if (r.kind === 'gateway') previous.set(r.mac, { site_id: r.site_id, active_port_id: r.active_port_id, active_role: r.active_role, port_ids: [] });
    }
  }
  const inventory = ctx.settings.inventory();
  const sites = inventory ? await ctx.readRecords(StoredSite) : null;
  if (inventory && !sites) ctx.log.warn('no sites snapshot: circuit inventory entries that name a site by name match nothing until the sites family has run');
  const match = matchInventory(inventory, sites ?? [], ports, ctx.orgId);
  const signature = unmatchedSignature(match.unmatched);
  if (inventory && signature !== (warnedUnmatched.get(ctx.orgId) ?? '')) {
    if (match.unmatched.length > 0) {
      ctx.log.warn({ source: inventory.source, unmatched: match.unmatched.length, entries: inventory.entries.length,
        first: match.unmatched.slice(0, 10).map((u) => `line ${u.entry.line}: ${u.entry.site} / ${u.entry.port} (${u.reason})`) },
      'circuit inventory entries that match no WAN port of the org (see mist_wan_inventory_unmatched_entry)');
    }
    warnedUnmatched.set(ctx.orgId, signature);
  }
  const events = await eventsState(ctx, dropped);
  const eventsUntil = events.find((r) => r.kind === 'cursor')?.until_seconds ?? null;
  const since = state?.events_until ?? null;
  // The events family has not read past the last replay: hold until it has (it runs after circuits), a few cycles at most.
  const waiting = since !== null && eventsUntil !== null && eventsUntil <= since;
  const held = state?.held_cycles ?? 0;
  const hold = waiting && held < HOLD_MAX_CYCLES;
  // Replayable: the events family still keeps the transitions since the last replay (a day of them).
  const replayable = since !== null && eventsUntil !== null && eventsUntil > since && since >= eventsUntil - PORT_TRANSITIONS_SECONDS;
  const transitions = replayable ? transitionsBetween(events, since, eventsUntil) : null;
  if (hold) ctx.log.debug({ since, eventsUntil }, 'events not read past the last replay yet: failovers are counted at the next cycle');
  if (waiting && !hold) ctx.log.warn({ since, held }, 'the events family has not read on for several cycles: failovers are counted by comparing observations, without replay, until it does');
  const { records, counters, gateways } = deriveCircuits({
    orgId: ctx.orgId, ports, paths: paths ?? [], previous, transitions, hold, clock: eventsUntil, rules: ctx.settings.circuitRoles, contracts: match.byPort,
  });
  const next: CircuitsState = {
    events_until: eventsUntil === null || (waiting && !hold) ? null : Math.max(eventsUntil, since ?? eventsUntil), gateways, ...(hold ? { held_cycles: held + 1 } : {}),
  };
  yield* withFinal(recordPages([...records, ...inventoryRecords(inventory, match, ctx.settings.inventory.status?.())], dropped, counters), { state: next });
}

/**
 * The events family's cursor and port records: its state (no TTL, so it is there right after an outage, before
 * the events family has run again; a cycle of it that got no window keeps it), else (before the state key existed)
 * its snapshot.
 */
async function eventsState(ctx: FamilyContext, dropped: Record<string, number>): Promise<EventsRecord[]> {
  const saved = await ctx.readState('events');
  return (Array.isArray(saved) ? validateStored(eventsRecords, saved, dropped) : await ctx.readRecords(eventsRecords)) ?? [];
}

/** Per gateway MAC, its ports' GW_PORT_DOWN/UP transitions in (since, until], from the events family's port records. */
function transitionsBetween(events: readonly EventsRecord[], since: number, until: number): Map<string, PortTransition[]> {
  const out = new Map<string, PortTransition[]>();
  for (const r of events) {
    if (r.kind !== 'port') continue;
    for (const [at, up] of r.transitions ?? []) {
      if (at <= since || at > until) continue;
      const list = out.get(r.mac) ?? [];
      list.push({ port_id: r.port_id, at, up });
      out.set(r.mac, list);
    }
  }
  return out;
}
