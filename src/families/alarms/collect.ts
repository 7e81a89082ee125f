import { z } from 'zod';
import { readStored, recordPages, walkAll, withFinal, type FamilyContext, type FamilyPage } from '../../collect/family.js';
import { searchAlarms } from '../../mist/endpoints.js';
import { ALARMS_SEEN, COLLECTOR_UNCOUNTED_GAP, encodeLabels } from '../../store/counters.js';
import { alarmsRecords, AlarmsRecordSchema, type AlarmRecord, type AlarmsActiveRecord, type AlarmsRecord } from './records.js';

/**
 * Alarms (GET /orgs/{org_id}/alarms/search), incremental: the family keeps the alarms it knows (open ones, and
 * resolved ones for a day) in its state (Store.readState: no TTL, published with each generation), and each cycle re-reads only a window ending at the server's
 * now. Alarms are deduplicated by id (an update replaces the known alarm); an id seen for the first time counts
 * once in `alarms_seen`.
 *
 * The window starts at the oldest open alarm (at least ALARM_OVERLAP_SECONDS before the last walk's end, at
 * most ALARM_LOOKBACK_SECONDS back). The simulator returns alarms whose life [timestamp, last_seen] overlaps
 * the window; live Mist may select by `timestamp` alone, and then only a window reaching back to the oldest
 * open alarm returns it again with its new status.
 *
 * An open alarm stays in the state however old it is (it counts in the open alarms) until an update shows it
 * resolved (then it stays a day, ALARM_RETENTION_SECONDS, and goes) or, with no update at all for
 * ALARM_OPEN_RETENTION_SECONDS (a week: Mist no longer returns it, so nothing will ever say it closed), it goes
 * with a warn log line. Limitation: a live Mist that selects by `timestamp` does not return an alarm opened more
 * than the lookback ago, so its resolution is seen only if Mist updates its timestamp.
 *
 * After any gap (an outage of Mist, Redis or the collector: the state has no TTL) the walk resumes from the last
 * end and counts once each alarm Mist returns that is not known. How far back Mist serves is Mist's to say: the
 * response echoes the window it answered, and when its start is later than the last end, the seconds between
 * them are the uncounted gap (alarms raised and gone in it were never seen): a counter increment in the
 * collector_uncounted_gap group → mist_collector_uncounted_gap_seconds_total, the cycle's metadata →
 * mist_collector_uncounted_gap_seconds, and a warn log line. Unknown (a first walk, no window echoed): none at all.
 */

/** The first walk (no state) and the furthest any walk reaches back: a day, Mist's default search window. */
export const ALARM_LOOKBACK_SECONDS = 86_400;
/** Each walk starts at least this long before the previous one ended: alarms Mist indexes late. */
export const ALARM_OVERLAP_SECONDS = 300;
/**
 * Alarms whose last update (last_seen, resolved_time) is older than this are dropped from the state. Not less
 * than the lookback, so a dropped alarm can never come back in a later window and be counted twice.
 */
export const ALARM_RETENTION_SECONDS = ALARM_LOOKBACK_SECONDS;
/** An open alarm with no update at all for this long leaves the state (see above). */
export const ALARM_OPEN_RETENTION_SECONDS = 7 * 86_400;
/** For the budget plan: alarms raised per site per day (the simulated org: ~0.55). A walk reads up to a day of them. */
export const ALARMS_PER_SITE_PER_DAY = 0.5;

export interface AlarmIn {
  readonly id: string;
  readonly site_id?: string | null | undefined;
  readonly type: string;
  readonly group: string;
  readonly severity: string;
  readonly count?: number | null | undefined;
  readonly timestamp: number;
  readonly last_seen?: number | null | undefined;
  readonly status?: string | null | undefined;
  readonly resolved_time?: number | null | undefined;
}

/** One Mist alarm as a state record. Open: status `open`, or no status and no resolved_time. Pure. */
export function mapAlarm(a: AlarmIn): AlarmRecord {
  const resolved = a.resolved_time ?? null;
  const open = a.status != null ? a.status === 'open' : resolved === null;
  return {
    kind: 'alarm',
    id: a.id,
    site_id: a.site_id ?? null,
    type: a.type,
    group: a.group,
    severity: a.severity,
    open,
    count: a.count ?? null,
    timestamp_seconds: a.timestamp,
    last_seen_seconds: Math.max(a.timestamp, a.last_seen ?? a.timestamp, resolved ?? a.timestamp),
    resolved_seconds: resolved,
  };
}

/** What the previous cycle left: the server's end of its walk and the alarms it knew, by id. */
export interface AlarmsState {
  readonly until: number;
  readonly alarms: ReadonlyMap<string, AlarmRecord>;
}

/** The family's previous snapshot as state; null (a first walk, nothing counted) without a cursor record. Pure. */
export function readAlarmsState(stored: readonly unknown[] | null): { state: AlarmsState | null; unreadable: number } {
  const { records, unreadable } = readStored(stored, AlarmsRecordSchema);
  const cursor = records.find((r) => r.kind === 'cursor');
  if (!cursor) return { state: null, unreadable };
  const alarms = new Map<string, AlarmRecord>();
  for (const r of records) if (r.kind === 'alarm') alarms.set(r.id, r);
  return { state: { until: cursor.until_seconds, alarms }, unreadable };
}

/**
 * Where the next walk starts: at the oldest open alarm (so a server that selects by timestamp returns every open
 * alarm again, with its new status), at least the overlap before the last walk's end, at most the lookback. Pure.
 */
export function alarmsWindowStart(state: AlarmsState): number {
  let start = state.until - ALARM_OVERLAP_SECONDS;
  for (const a of state.alarms.values()) if (a.open) start = Math.min(start, a.timestamp_seconds);
  return Math.floor(Math.max(start, state.until - ALARM_LOOKBACK_SECONDS));
}

/** Open alarms per (site, type, severity, group); 0 for a combination with only resolved alarms retained. Pure. */
export function activeAlarms(alarms: Iterable<AlarmRecord>): AlarmsActiveRecord[] {
  const out = new Map<string, AlarmsActiveRecord>();
  for (const a of alarms) {
    const key = JSON.stringify([a.site_id, a.type, a.severity, a.group]);
    const known = out.get(key);
    out.set(key, { kind: 'active', site_id: a.site_id, type: a.type, severity: a.severity, group: a.group, active: (known?.active ?? 0) + (a.open ? 1 : 0) });
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

export interface AlarmsStep {
  readonly records: AlarmsRecord[];
  /** alarms_seen: +1 per new alarm id (none on a first walk), 0 for every (type, severity) known, so series exist before they count. */
  readonly counters: Record<string, Record<string, number>>;
  readonly newAlarms: number;
  /** Seconds between the previous end and the start Mist served: 0 normally; null when unknown (first walk, no window). */
  readonly uncountedGapSeconds: number | null;
  /** Open alarms dropped for having had no update for ALARM_OPEN_RETENTION_SECONDS. */
  readonly staleOpen: number;
}

const seenLabels = (orgId: string, a: AlarmRecord): string => encodeLabels({ org_id: orgId, alarm_type: a.type, severity: a.severity });

/**
 * Merges a walk's alarms into the previous state (null: a first walk, whose alarms are history and not counted):
 * an unknown id is new (+1; an alarm dropped from the state can never be returned again: see the retentions),
 * a known one is replaced by its update (not
 * counted again); resolved alarms not updated within the retention and open ones not updated within the open
 * retention are dropped. `now` is the server's end of the walk, `served` the start of the window it answered
 * (null: not echoed). Pure.
 */
export function mergeAlarms(orgId: string, previous: AlarmsState | null, fetched: readonly AlarmRecord[], now: number, served: number | null = null): AlarmsStep {
  const alarms = new Map(previous?.alarms ?? []);
  const seen: Record<string, number> = {};
  let newAlarms = 0;
  for (const a of fetched) {
    const known = alarms.get(a.id);
    if (!known && previous !== null) {
      const field = seenLabels(orgId, a);
      seen[field] = (seen[field] ?? 0) + 1;
      newAlarms += 1;
    }
    if (!known || a.last_seen_seconds >= known.last_seen_seconds) alarms.set(a.id, a);
  }
  const cutoff = now - ALARM_RETENTION_SECONDS;
  const openCutoff = now - ALARM_OPEN_RETENTION_SECONDS;
  let staleOpen = 0;
  for (const [id, a] of alarms) {
    if (a.last_seen_seconds >= (a.open ? openCutoff : cutoff)) continue;
    alarms.delete(id);
    if (a.open) staleOpen += 1;
  }
  for (const a of alarms.values()) seen[seenLabels(orgId, a)] ??= 0;
  const gap = previous === null || served === null ? null : Math.max(0, Math.floor(served - previous.until));
  const kept = [...alarms.values()].sort((a, b) => a.timestamp_seconds - b.timestamp_seconds || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    records: [{ kind: 'cursor', until_seconds: now }, ...kept, ...activeAlarms(kept)],
    counters: { [ALARMS_SEEN]: seen, ...(gap === null ? {} : { [COLLECTOR_UNCOUNTED_GAP]: { [encodeLabels({ org_id: orgId, family: 'alarms' })]: gap } }) },
    newAlarms,
    uncountedGapSeconds: gap,
    staleOpen,
  };
}

/** The saved state: the family's records (cursor, alarms), each validated by readAlarmsState. */
const StoredState = z.array(z.unknown()).nullable();

/**
 * Alarms: one walk of alarms/search per cycle (see above). Not resumable: its pages carry counter increments.
 * A first-ever walk (no state at all) reads a day back and counts nothing, so the counter does not jump by a day
 * of history.
 */
export async function* collectAlarms(ctx: FamilyContext): AsyncGenerator<FamilyPage<AlarmsRecord>> {
  // The state key; before it existed (an upgrade), the family's own snapshot held the same records.
  const saved = StoredState.safeParse(await ctx.readState());
  if (!saved.success) ctx.log.warn('the saved state is not a list of records: ignored (nothing is counted this cycle)');
  const { state, unreadable } = readAlarmsState(saved.success && saved.data !== null ? saved.data : await ctx.readRecords(alarmsRecords));
  if (unreadable > 0) ctx.log.warn({ unreadable }, 'unreadable alarm records in the saved state were ignored');
  const start = state ? alarmsWindowStart(state) : `-${ALARM_LOOKBACK_SECONDS / 86_400}d`;
  const walk = await walkAll(ctx, searchAlarms(ctx.orgId, start));
  const fetched = walk.records.map(mapAlarm);
  // The server's now; without one (Mist always sends `end`), the latest time known.
  const now = walk.window?.end ?? Math.max(state?.until ?? -Infinity, ...fetched.map((a) => a.last_seen_seconds));
  if (!Number.isFinite(now)) {
    ctx.log.warn('alarms/search announced no window and returned nothing: the next cycle tries again from the same state');
    yield* recordPages<AlarmsRecord>([], walk.dropped);
    return;
  }
  const step = mergeAlarms(ctx.orgId, state, fetched, Math.max(now, state?.until ?? now), walk.window?.start ?? null);
  ctx.log.debug({ start, fetched: fetched.length, new: step.newAlarms, first: state === null }, 'alarms merged');
  if (step.uncountedGapSeconds !== null && step.uncountedGapSeconds > 0) {
    ctx.log.warn({ uncountedGapSeconds: step.uncountedGapSeconds, since: state?.until, served: walk.window?.start }, 'the gap since the last cycle is longer than Mist serves back: alarms raised in its oldest part are not counted');
  }
  if (step.staleOpen > 0) ctx.log.warn({ alarms: step.staleOpen, days: ALARM_OPEN_RETENTION_SECONDS / 86_400 }, 'open alarms without any update for too long left the state');
  const gap = step.uncountedGapSeconds === null ? {} : { uncountedGapSeconds: step.uncountedGapSeconds };
  yield* withFinal(recordPages(step.records, walk.dropped, step.counters), { state: step.records, ...gap });
}
