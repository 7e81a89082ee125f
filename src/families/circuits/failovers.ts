import { z } from 'zod';
import { PRIMARY } from '../../collect/circuit-roles.js';
import { encodeLabels, WAN_PORT_ACTIVE_CHANGES, WAN_PORT_FAILOVERS } from '../../store/counters.js';

/**
 * Failovers and active-circuit changes per circuit, counted by the circuits family between two of its cycles.
 *
 * A *change* is the gateway's active circuit moving from port `port_id` to port `to_port_id`; a *failover* is a
 * change from the primary circuit to a non-primary one. Two cycles only see where the active circuit was and is:
 * a failover and fail-back in between looks like nothing happened. So the moves in between are replayed from
 * the GW_PORT_DOWN/UP events the events family keeps per port (`transitions`, a day of them): transitions of one
 * instant are applied together; after each instant the active circuit moves when it went down (to the first up
 * port in role order) or when a port ranked above it came up (the fail-back), and stays otherwise (a gateway
 * steering onto a lower-ranked circuit by its own policy is not moved by an unrelated port's flap). The replay
 * starts at the state's active circuit. When its ports end up as the ports snapshot reports them, it ends by
 * moving to the circuit observed now (a different end counts one more move: the observation wins); when they
 * do not, the events and the ports snapshot describe different instants (one is newer), and the replay's end is
 * kept for the next cycle instead, so nothing is counted twice. Without events (the events family has no
 * cursor yet, or had none in the previous cycle: `events_until` null) only the two observations are compared. A
 * move to or from "no active circuit" (every port down, gateway disconnected) is not a change, as a restart is
 * not a failover. Pure.
 */

/** What the circuits family keeps per gateway in its state (no TTL). */
export const GatewayActiveSchema = z.object({
  site_id: z.string(),
  active_port_id: z.string().nullable(),
  active_role: z.string().nullable(),
  /** The gateway's WAN ports when last seen: a new port gets its series initialised at 0. */
  port_ids: z.array(z.string()),
  /** Set while the gateway is missing from the ports snapshot: the events cursor when it went missing (see keepMissing). */
  missing_since: z.number().optional(),
});
export const CircuitsStateSchema = z.object({
  /** The events family's cursor (server time, Unix seconds) up to which transitions were replayed; null: none. */
  events_until: z.number().nullable(),
  gateways: z.record(z.string(), GatewayActiveSchema),
  /** Consecutive cycles held so far waiting for the events family to read past `events_until` (HOLD_MAX_CYCLES). */
  held_cycles: z.number().optional(),
});

/**
 * How many consecutive cycles the circuits family holds (counts nothing, keeps its observations) waiting for the
 * events family to read past `events_until`: one after an outage (events runs right after circuits), up to the
 * events interval over the circuits interval when events runs less often. Beyond that the events family is taken
 * to be failing: the replay is given up (`events_until` null) and the observations are compared, as without events.
 */
export const HOLD_MAX_CYCLES = 5;
export type GatewayActive = z.infer<typeof GatewayActiveSchema>;
export type CircuitsState = z.infer<typeof CircuitsStateSchema>;

/** One GW_PORT_DOWN/UP of a port of the gateway. */
export interface PortTransition {
  readonly port_id: string;
  readonly at: number;
  readonly up: boolean;
}

export interface FailoverInput {
  readonly orgId: string;
  readonly siteId: string;
  readonly mac: string;
  /** The gateway's ports in role order (the first up one is active when only ports decide), with role and current up. */
  readonly ports: readonly { readonly port_id: string; readonly role: string; readonly up: boolean | null }[];
  /** The previous cycle's observation; undefined: first sight of the gateway (nothing counted, series initialised). */
  readonly previous: GatewayActive | undefined;
  /** The active circuit observed now (null: none). */
  readonly current: string | null;
  /** The ports' transitions since the previous cycle's events cursor (null: not known: compare observations only). */
  readonly transitions: readonly PortTransition[] | null;
}

export interface FailoverCounts {
  /** Counter group → encoded labels {org_id, site_id, mac, port_id, to_port_id} → delta. */
  readonly counters: Record<string, Record<string, number>>;
  readonly changes: number;
  /** The active circuit to remember: the observed one, or the replay's end when the two disagree on the ports. */
  readonly active: string | null;
}

export function countFailovers(input: FailoverInput): FailoverCounts {
  const role = new Map(input.ports.map((p) => [p.port_id, p.role]));
  const field = (from: string, to: string): string =>
    encodeLabels({ org_id: input.orgId, site_id: input.siteId, mac: input.mac, port_id: from, to_port_id: to });
  const failovers: Record<string, number> = {};
  const changes: Record<string, number> = {};
  // A gateway moved to another site has new series there: its ports count as new to the state at that site.
  const known = new Set(input.previous?.site_id === input.siteId ? input.previous.port_ids : []);
  // Series exist before they count: every ordered pair of ports that involves a port new to the state.
  for (const a of input.ports) {
    for (const b of input.ports) {
      if (a.port_id === b.port_id || (known.has(a.port_id) && known.has(b.port_id))) continue;
      changes[field(a.port_id, b.port_id)] = 0;
      if (a.role === PRIMARY && b.role !== PRIMARY) failovers[field(a.port_id, b.port_id)] = 0;
    }
  }
  let moved = 0;
  let active = input.previous?.active_port_id ?? null;
  const move = (to: string | null): void => {
    if (active !== null && to !== null && active !== to && role.has(active) && role.has(to)) {
      const f = field(active, to);
      changes[f] = (changes[f] ?? 0) + 1;
      moved += 1;
      if (role.get(active) === PRIMARY && role.get(to) !== PRIMARY) failovers[f] = (failovers[f] ?? 0) + 1;
    }
    active = to;
  };
  let agrees = true;
  if (input.previous) {
    const replayed = replay(input.ports, input.transitions ?? [], active);
    for (const to of replayed.actives) move(to);
    agrees = replayed.agrees;
    if (agrees) move(input.current);
  }
  const counters: Record<string, Record<string, number>> = {};
  if (Object.keys(failovers).length > 0) counters[WAN_PORT_FAILOVERS] = failovers;
  if (Object.keys(changes).length > 0) counters[WAN_PORT_ACTIVE_CHANGES] = changes;
  return { counters, changes: moved, active: agrees ? input.current : active };
}

/**
 * The active port after each instant with transitions (see above), from `start`; and whether the ports end up
 * as the ports snapshot has them now (up: true; down or unknown: false).
 */
function replay(ports: FailoverInput['ports'], transitions: readonly PortTransition[], start: string | null): { actives: (string | null)[]; agrees: boolean } {
  if (transitions.length === 0) return { actives: [], agrees: true };
  const sorted = [...transitions].sort((a, b) => a.at - b.at);
  const rank = new Map(ports.map((p, i) => [p.port_id, i]));
  // A port's state before its first transition is the opposite of that transition; without any, as it is now.
  const up = new Map(ports.map((p) => [p.port_id, p.up === true]));
  for (const t of [...sorted].reverse()) up.set(t.port_id, !t.up);
  const actives: (string | null)[] = [];
  let active = start;
  for (let i = 0; i < sorted.length;) {
    const at = sorted[i]!.at;
    let better = false;
    for (; i < sorted.length && sorted[i]!.at === at; i++) {
      const t = sorted[i]!;
      up.set(t.port_id, t.up);
      if (t.up && (active === null || (rank.get(t.port_id) ?? Infinity) < (rank.get(active) ?? Infinity))) better = true;
    }
    if (active === null || up.get(active) !== true || better) active = ports.find((p) => up.get(p.port_id) === true)?.port_id ?? null;
    actives.push(active);
  }
  return { actives, agrees: ports.every((p) => up.get(p.port_id) === (p.up === true)) };
}

/**
 * How long a gateway missing from the ports snapshot keeps its last observation, in server time (the events
 * cursor): a day, as long as the events family keeps the port transitions a replay needs (PORT_TRANSITIONS_SECONDS).
 */
export const GATEWAY_MISSING_RETENTION_SECONDS = 86_400;

/**
 * The previous observations of gateways missing from this cycle's ports snapshot (a gateway offline in Mist's
 * port search for a while, a row lost between pages): kept, marked with the events cursor at which they went
 * missing, so that when the gateway is back its failovers are replayed or compared from where it was instead of
 * starting over as a new gateway (counting nothing). Dropped once missing for longer than
 * GATEWAY_MISSING_RETENTION_SECONDS, or at once when there is no clock (`now`: the events cursor, null when the
 * events family has none). So the state holds no decommissioned gateway for longer than a day. Pure.
 */
export function keepMissing(previous: ReadonlyMap<string, GatewayActive>, present: ReadonlySet<string>, now: number | null): Record<string, GatewayActive> {
  const kept: Record<string, GatewayActive> = {};
  if (now === null) return kept;
  for (const [mac, gw] of previous) {
    if (present.has(mac)) continue;
    const since = gw.missing_since ?? now;
    if (now - since <= GATEWAY_MISSING_RETENTION_SECONDS) kept[mac] = { ...gw, missing_since: since };
  }
  return kept;
}
