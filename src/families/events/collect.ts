import { z } from 'zod';
import { readStored, recordPages, walkAll, withFinal, type FamilyContext, type FamilyPage } from '../../collect/family.js';
import { searchGatewayEvents } from '../../mist/endpoints.js';
import { COLLECTOR_UNCOUNTED_GAP, encodeLabels, GATEWAY_EVENTS, GATEWAY_PORT_FLAPS } from '../../store/counters.js';
import { narrowRecords } from '../define-records.js';
import { WanPortRecordSchema, wanPortsRecords, type WanPortRecord } from '../wan-ports/records.js';
import { eventsRecords, EventsRecordSchema, type EventsRecord, type PortFlapRecord } from './records.js';

/**
 * Gateway device events (GET /orgs/{org_id}/devices/events/search?device_type=gateway), incremental: each cycle
 * walks from the previous walk's end (the server's now, kept in a cursor record), less EVENT_OVERLAP_SECONDS for
 * events Mist indexes late, up to the server's now. Events inside the overlap were seen before: their keys
 * (timestamp, mac, type, port_id, text) are kept with the cursor, so an event is counted once.
 *
 * Counted, in store counter groups (monotonic across collector restarts): each GW_PORT_DOWN and GW_PORT_UP per
 * gateway port (a flap is a down or an up), and every event by type. The latest GW_PORT_* event of a port is
 * its last flap (records of kind `port`).
 *
 * The cursor, the seen keys and the ports are the family's state (Store.readState: no TTL), published with each
 * generation, so after an outage of any length (Mist, Redis or the collector down; the snapshot expired) the
 * next walk resumes from the last cursor and counts every event Mist returns that was not seen before. How far
 * back Mist serves is Mist's to say: the response echoes the window it answered, and when its start is later
 * than the last cursor, the seconds between them are the uncounted gap (a counter increment in the
 * collector_uncounted_gap group → mist_collector_uncounted_gap_seconds_total, the cycle's metadata →
 * mist_collector_uncounted_gap_seconds, and a warn log line), never guessed. Unknown (a first walk, or no window
 * echoed): no gap is reported at all, not 0.
 *
 * A first-ever walk (no state at all) reads EVENT_BASELINE_SECONDS back to learn recent last-flap times and the
 * dedupe keys, and counts nothing: the counters start from the collector's first cycle instead of jumping by
 * the history Mist keeps.
 */

/** The event types collected: WAN port, VPN path and peer, tunnel, BGP neighbour, cloud connection transitions. */
export const GATEWAY_EVENT_TYPES = [
  'GW_PORT_DOWN', 'GW_PORT_UP',
  'GW_VPN_PATH_DOWN', 'GW_VPN_PATH_UP',
  'GW_VPN_PEER_DOWN', 'GW_VPN_PEER_UP',
  'GW_TUNNEL_DOWN', 'GW_TUNNEL_UP',
  'GW_BGP_NEIGHBOR_DOWN', 'GW_BGP_NEIGHBOR_UP',
  'GW_DISCONNECTED', 'GW_CONNECTED',
] as const;
/** The events that are port flaps. */
export const PORT_FLAP_EVENT_TYPES: ReadonlySet<string> = new Set(['GW_PORT_DOWN', 'GW_PORT_UP']);
/** Each walk starts this long before the previous one ended: events Mist indexes late are still counted once. */
export const EVENT_OVERLAP_SECONDS = 300;
/** How far back a first walk reads (not counted): recent last-flap times. */
export const EVENT_BASELINE_SECONDS = 3600;
/** Without a wan-ports snapshot, port records are dropped this long after their last flap. */
export const PORT_RETENTION_SECONDS = 7 * 86_400;
/** How long a port's GW_PORT_* events are kept in its record (`transitions`) for the circuits family to replay. */
export const PORT_TRANSITIONS_SECONDS = 86_400;

export interface EventIn {
  readonly type: string;
  readonly timestamp: number;
  readonly site_id?: string | null | undefined;
  readonly mac?: string | null | undefined;
  readonly port_id?: string | null | undefined;
  readonly text?: string | null | undefined;
}

/** The dedupe key of an event: timestamp first (so keys outside the overlap can be let go), mac, type, port, text. */
export function eventKey(e: EventIn): string {
  return `${e.timestamp}|${e.mac ?? ''}|${e.type}|${e.port_id ?? ''}|${e.text ?? ''}`;
}

function keyTimestamp(key: string): number {
  return Number(key.slice(0, key.indexOf('|')));
}

const portKey = (mac: string, portId: string): string => `${mac}|${portId}`;

/** What the previous cycle left: its cursor (null: none, the next walk is a first walk) and the known ports. */
export interface EventsState {
  readonly cursor: { readonly until: number; readonly seen: ReadonlySet<string> } | null;
  readonly ports: ReadonlyMap<string, PortFlapRecord>;
}

/** The family's previous snapshot as state. Pure. */
export function readEventsState(stored: readonly unknown[] | null): { state: EventsState; unreadable: number } {
  const { records, unreadable } = readStored(stored, EventsRecordSchema);
  const cursor = records.find((r) => r.kind === 'cursor');
  const ports = new Map<string, PortFlapRecord>();
  for (const r of records) if (r.kind === 'port') ports.set(portKey(r.mac, r.port_id), r);
  return { state: { cursor: cursor ? { until: cursor.until_seconds, seen: new Set(cursor.seen) } : null, ports }, unreadable };
}

/** Where the next walk starts: the overlap before the previous walk's end, or (first walk) the baseline back. */
export function eventsWindowStart(state: EventsState): number | string {
  return state.cursor ? Math.floor(state.cursor.until - EVENT_OVERLAP_SECONDS) : `-${EVENT_BASELINE_SECONDS / 3600}h`;
}

export type WanPortRef = Pick<WanPortRecord, 'site_id' | 'mac' | 'port_id'>;

export interface EventsInput {
  readonly orgId: string;
  readonly previous: EventsState;
  /** This walk's events, in any order. */
  readonly events: readonly EventIn[];
  /** The server's end of this walk (Unix seconds). */
  readonly until: number;
  /** The start of the window the server answered (Unix seconds; later than asked when it serves less); null or absent: not echoed (the gap is unknown). */
  readonly served?: number | null;
  /** The WAN ports of the current wan-ports snapshot (null: none): their flap counters start at 0. */
  readonly wanPorts: readonly WanPortRef[] | null;
}

export interface EventsStep {
  readonly records: EventsRecord[];
  readonly counters: Record<string, Record<string, number>>;
  /** New events counted (0 on a first walk), and events skipped as seen before. */
  readonly counted: number;
  readonly duplicates: number;
  /** Seconds between the previous cursor and the start Mist served: 0 normally; null when unknown (first walk, no window). */
  readonly uncountedGapSeconds: number | null;
}

/**
 * Applies one walk's events to the previous state. An event whose key was seen is skipped; a new one updates its
 * port's last flap (GW_PORT_*) and, unless this is a first walk, counts 1 for its port and 1 for its type.
 * Series exist before they count: 0 for every event type, for WAN ports new to the state and for ports first
 * seen on a first walk; a port whose gateway moved to another site (wan-ports says so) moves its series to the new
 * site, starting at 0 (its old site's series leaves with the live records). Every new event of a resumed walk
 * counts; what Mist did not serve after the cursor is the uncounted gap. Keys older than the overlap are let go; with a wan-ports snapshot only its WAN ports
 * keep records (so a decommissioned port's flap series can go), without one ports go PORT_RETENTION_SECONDS
 * after their last flap. Pure.
 */
export function applyEvents(input: EventsInput): EventsStep {
  const { orgId, previous } = input;
  const first = previous.cursor === null;
  const until = Math.max(input.until, previous.cursor?.until ?? -Infinity);
  const uncountedGapSeconds = first || input.served == null ? null : Math.max(0, Math.floor(input.served - previous.cursor.until));
  const seen = new Set(previous.cursor?.seen ?? []);
  const ports = new Map(previous.ports);
  const flaps: Record<string, number> = {};
  const byType: Record<string, number> = {};
  const flapField = (p: PortFlapRecord): string => encodeLabels({ org_id: orgId, site_id: p.site_id, mac: p.mac, port_id: p.port_id });
  const typeField = (type: string): string => encodeLabels({ org_id: orgId, event_type: type });
  for (const type of GATEWAY_EVENT_TYPES) byType[typeField(type)] = 0;
  const wan = new Set<string>();
  for (const w of input.wanPorts ?? []) {
    const key = portKey(w.mac, w.port_id);
    wan.add(key);
    const known = ports.get(key);
    if (known?.site_id === w.site_id) continue;
    // New, or its gateway moved site: the current site is wan-ports' (the old site's series is not added to).
    const port: PortFlapRecord = known ? { ...known, site_id: w.site_id } : { kind: 'port', site_id: w.site_id, mac: w.mac, port_id: w.port_id, last_flap_seconds: null };
    ports.set(key, port);
    flaps[flapField(port)] = 0;
  }
  let counted = 0;
  let duplicates = 0;
  const events = [...input.events].sort((a, b) => a.timestamp - b.timestamp);
  for (const e of events) {
    const key = eventKey(e);
    if (seen.has(key)) {
      duplicates += 1;
      continue;
    }
    seen.add(key);
    const counts = !first;
    if (PORT_FLAP_EVENT_TYPES.has(e.type) && e.mac && e.port_id) {
      const pk = portKey(e.mac, e.port_id);
      const known = ports.get(pk);
      const port: PortFlapRecord = {
        // A WAN port's site is wan-ports' (set above); other ports take the event's, the latest event last.
        kind: 'port', site_id: (wan.has(pk) ? known?.site_id : e.site_id || known?.site_id) ?? '', mac: e.mac, port_id: e.port_id,
        last_flap_seconds: Math.max(known?.last_flap_seconds ?? -Infinity, e.timestamp),
        transitions: [...(known?.transitions ?? []), [e.timestamp, e.type === 'GW_PORT_UP']],
      };
      ports.set(pk, port);
      const field = flapField(port);
      flaps[field] = (flaps[field] ?? 0) + (counts ? 1 : 0);
    }
    if (counts) {
      const field = typeField(e.type);
      byType[field] = (byType[field] ?? 0) + 1;
      counted += 1;
    }
  }
  const keepFrom = until - EVENT_OVERLAP_SECONDS;
  const kept = [...seen].filter((k) => keyTimestamp(k) >= keepFrom).sort();
  const staleBefore = until - PORT_RETENTION_SECONDS;
  const portRecords = [...ports.entries()]
    .filter(([key, p]) => (input.wanPorts === null ? p.last_flap_seconds === null || p.last_flap_seconds >= staleBefore : wan.has(key)))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, p]) => recentTransitions(p, until - PORT_TRANSITIONS_SECONDS));
  return {
    records: [{ kind: 'cursor', until_seconds: until, seen: kept }, ...portRecords],
    counters: {
      [GATEWAY_PORT_FLAPS]: flaps, [GATEWAY_EVENTS]: byType,
      ...(uncountedGapSeconds === null ? {} : { [COLLECTOR_UNCOUNTED_GAP]: { [encodeLabels({ org_id: orgId, family: 'events' })]: uncountedGapSeconds } }),
    },
    counted,
    duplicates,
    uncountedGapSeconds,
  };
}

/** The port with its transitions since `from`, oldest first (none: no `transitions` field). */
function recentTransitions(p: PortFlapRecord, from: number): PortFlapRecord {
  const { transitions, ...rest } = p;
  const recent = (transitions ?? []).filter(([at]) => at >= from).sort((a, b) => a[0] - b[0]);
  return recent.length > 0 ? { ...rest, transitions: recent } : rest;
}

/** The saved state: the family's records (cursor and ports), each validated by readEventsState. */
const StoredState = z.array(z.unknown()).nullable();

/** The part of a stored wan-ports record the flap counters start from. */
const StoredWanPort = narrowRecords(wanPortsRecords, WanPortRecordSchema.pick({ site_id: true, mac: true, port_id: true }));

/**
 * Gateway events: one walk of devices/events/search per cycle (see above): one page in a 3,208-site org (the
 * simulator raises ~15 of these events a minute, so the interval plus the overlap holds ~100). Not resumable:
 * its pages carry counter increments. Joins the wan-ports snapshot, so it comes after wan-ports.
 */
export async function* collectEvents(ctx: FamilyContext): AsyncGenerator<FamilyPage<EventsRecord>> {
  // The state key; before it existed (an upgrade), the family's own snapshot held the same records.
  const saved = StoredState.safeParse(await ctx.readState());
  if (!saved.success) ctx.log.warn('the saved state is not a list of records: ignored (nothing is counted this cycle)');
  const { state, unreadable } = readEventsState(saved.success && saved.data !== null ? saved.data : await ctx.readRecords(eventsRecords));
  if (unreadable > 0) ctx.log.warn({ unreadable }, 'unreadable event records in the saved state were ignored');
  const wanPorts = await ctx.readRecords(StoredWanPort);
  const start = eventsWindowStart(state);
  const walk = await walkAll(ctx, searchGatewayEvents(ctx.orgId, GATEWAY_EVENT_TYPES, start));
  // The server's now; without one (Mist always sends `end`), the latest event or the previous end.
  const until = walk.window?.end ?? Math.max(state.cursor?.until ?? -Infinity, ...walk.records.map((e) => e.timestamp));
  if (!Number.isFinite(until)) {
    ctx.log.warn('devices/events/search announced no window and returned nothing: the next cycle tries again from the same state');
    yield* recordPages<EventsRecord>([...state.ports.values()], walk.dropped);
    return;
  }
  const step = applyEvents({ orgId: ctx.orgId, previous: state, events: walk.records, until, served: walk.window?.start ?? null, wanPorts });
  ctx.log.debug({ start, events: walk.records.length, counted: step.counted, duplicates: step.duplicates, first: state.cursor === null }, 'events applied');
  if (step.uncountedGapSeconds !== null && step.uncountedGapSeconds > 0) {
    ctx.log.warn({ uncountedGapSeconds: step.uncountedGapSeconds, since: state.cursor?.until, served: walk.window?.start },
      'the gap since the last cycle is longer than Mist serves back: its oldest events are not counted');
  }
  const gap = step.uncountedGapSeconds === null ? {} : { uncountedGapSeconds: step.uncountedGapSeconds };
  yield* withFinal(recordPages(step.records, walk.dropped, step.counters), { state: step.records, ...gap });
}
