import { readFileSync } from 'node:fs';
import { defaultFamilySettings } from '../../src/collect/family.js';
import { describe, expect, it } from 'vitest';
import { ALARMS_SEEN, COLLECTOR_UNCOUNTED_GAP, encodeLabels } from '../../src/store/counters.js';
import { runCycle } from '../../src/collect/cycle.js';
import {
  activeAlarms, ALARM_LOOKBACK_SECONDS, ALARM_OPEN_RETENTION_SECONDS, ALARM_OVERLAP_SECONDS, alarmsWindowStart, mapAlarm, mergeAlarms, readAlarmsState, type AlarmIn, type AlarmsState,
} from '../../src/families/alarms/collect.js';
import { alarmsFamily } from '../../src/families/alarms/index.js';
import type { AlarmRecord, AlarmsRecord } from '../../src/families/alarms/records.js';
import { MemoryStore } from '../../src/store/memory.js';
import { alarmWalks, specAlarmSteps } from '../fixtures/records/openapi-activity.js';
import { SPEC_ORG_ID } from '../fixtures/records/openapi.js';
import { fakeClient, json, ORG_ID } from '../support/mist-fake.js';
import { assertValidResponse } from '../support/openapi.js';
import { captureLog } from '../support/redis-store.js';

const T = 1_790_000_000;
const SITE = '5e7a0000-0000-4000-8000-000000000001';
const seenField = (type: string, severity: string, orgId = ORG_ID): string => encodeLabels({ org_id: orgId, alarm_type: type, severity });

function alarm(id: number, over: Partial<AlarmIn> = {}): AlarmRecord {
  return mapAlarm({
    id: `0b1a0000-0000-4000-8000-${String(id).padStart(12, '0')}`, site_id: SITE, type: 'gateway_down', group: 'infrastructure', severity: 'critical',
    count: 1, timestamp: T - 600, last_seen: T - 60, status: 'open', ...over,
  });
}
const stateOf = (until: number, alarms: AlarmRecord[]): AlarmsState => ({ until, alarms: new Map(alarms.map((a) => [a.id, a])) });
const kinds = (records: readonly AlarmsRecord[], kind: AlarmsRecord['kind']) => records.filter((r) => r.kind === kind);

describe('mapping an alarm', () => {
  it('is open by status, or without a status while it has no resolved_time', () => {
    expect(alarm(1).open).toBe(true);
    expect(alarm(1, { status: 'resolved', resolved_time: T }).open).toBe(false);
    expect(alarm(1, { status: undefined }).open).toBe(true);
    expect(alarm(1, { status: undefined, resolved_time: T }).open).toBe(false);
  });

  it('takes its last update from last_seen, resolved_time or timestamp, and keeps an org-level alarm without site', () => {
    expect(alarm(1, { last_seen: undefined }).last_seen_seconds).toBe(T - 600);
    expect(alarm(1, { last_seen: T - 60, status: 'resolved', resolved_time: T }).last_seen_seconds).toBe(T);
    expect(alarm(1, { site_id: undefined, count: undefined })).toMatchObject({ site_id: null, count: null, timestamp_seconds: T - 600 });
  });
});

describe('merging a walk into the known alarms', () => {
  it('counts nothing on a first walk, but starts every (type, severity) series at 0', () => {
    const step = mergeAlarms(ORG_ID, null, [alarm(1), alarm(2, { type: 'port_flap', severity: 'info', group: 'marvis' })], T);
    expect(step.newAlarms).toBe(0);
    expect(step.counters).toEqual({ [ALARMS_SEEN]: { [seenField('gateway_down', 'critical')]: 0, [seenField('port_flap', 'info')]: 0 } });
    expect(kinds(step.records, 'cursor')).toEqual([{ kind: 'cursor', until_seconds: T }]);
    expect(kinds(step.records, 'alarm')).toHaveLength(2);
  });

  it('counts a new id once, even when the walk returns it twice', () => {
    const step = mergeAlarms(ORG_ID, stateOf(T, [alarm(1)]), [alarm(1), alarm(2), alarm(2, { count: 2, last_seen: T })], T + 60);
    expect(step.newAlarms).toBe(1);
    expect(step.counters[ALARMS_SEEN]).toEqual({ [seenField('gateway_down', 'critical')]: 1 });
    expect(kinds(step.records, 'alarm').map((a) => a.kind === 'alarm' && [a.id.slice(-1), a.count])).toEqual([['1', 1], ['2', 2]]);
  });

  it('replaces a known alarm by its update (status, count, last_seen) without counting it again', () => {
    const update = alarm(1, { status: 'resolved', resolved_time: T + 30, last_seen: T + 30, count: 4 });
    const step = mergeAlarms(ORG_ID, stateOf(T, [alarm(1)]), [update], T + 60);
    expect(step.newAlarms).toBe(0);
    expect(step.counters[ALARMS_SEEN]).toEqual({ [seenField('gateway_down', 'critical')]: 0 });
    expect(kinds(step.records, 'alarm')).toEqual([update]);
    expect(kinds(step.records, 'active')).toEqual([{ kind: 'active', site_id: SITE, type: 'gateway_down', severity: 'critical', group: 'infrastructure', active: 0 }]);
  });

  it('keeps the newer copy when a walk returns an older one', () => {
    const newer = alarm(1, { last_seen: T, count: 5 });
    const step = mergeAlarms(ORG_ID, stateOf(T, [newer]), [alarm(1, { last_seen: T - 300, count: 2 })], T + 60);
    expect(kinds(step.records, 'alarm')).toEqual([newer]);
  });

  it('drops resolved alarms a day after their last update, open ones only after a week without any', () => {
    const now = T + ALARM_LOOKBACK_SECONDS + 120;
    const old = alarm(1, { status: 'resolved', resolved_time: T + 100, last_seen: T + 100 });
    const recent = alarm(2, { status: 'resolved', resolved_time: T + 200, last_seen: now - 3600 });
    const openLong = alarm(3, { type: 'bad_wan_uplink', severity: 'warn', group: 'marvis', last_seen: T + 110 });
    const step = mergeAlarms(ORG_ID, stateOf(now - 120, [old, recent, openLong]), [], now);
    expect(kinds(step.records, 'alarm')).toHaveLength(2);
    expect(kinds(step.records, 'alarm')).toEqual(expect.arrayContaining([openLong, recent]));
    expect(kinds(step.records, 'active').map((r) => r.kind === 'active' && [r.type, r.active])).toEqual([['bad_wan_uplink', 1], ['gateway_down', 0]]);
    const weekLater = T + ALARM_OPEN_RETENTION_SECONDS + 111;
    const gone = mergeAlarms(ORG_ID, stateOf(weekLater - 120, [openLong]), [], weekLater);
    expect([kinds(gone.records, 'alarm'), gone.staleOpen]).toEqual([[], 1]);
    // The dropped kind's series keeps its total in the store; no 0 is added for a kind no longer known.
    expect(gone.counters[ALARMS_SEEN]).toEqual({});
  });

  it('after a gap longer than Mist serves, counts every unknown alarm it returns once and reports what it did not serve as the uncounted gap', () => {
    const now = T + 5 * 86_400;
    const served = now - 6 * 3600; // Mist answered a window starting later than asked
    const raisedInGap = alarm(1, { timestamp: T + 1800, last_seen: now }); // before the served start, still open: returned
    const inWindow = alarm(2, { timestamp: now - 600, last_seen: now });
    const step = mergeAlarms(ORG_ID, stateOf(T, []), [raisedInGap, inWindow], now, served);
    expect([step.uncountedGapSeconds, step.newAlarms]).toEqual([served - T, 2]);
    expect(step.counters[COLLECTOR_UNCOUNTED_GAP]).toEqual({ [encodeLabels({ org_id: ORG_ID, family: 'alarms' })]: served - T });
    expect(kinds(step.records, 'alarm')).toEqual([raisedInGap, inWindow]);
    // Served from before the last end: nothing uncounted, a 0 increment (the series exists).
    const whole = mergeAlarms(ORG_ID, stateOf(T, []), [inWindow], T + 600, T - ALARM_OVERLAP_SECONDS);
    expect([whole.uncountedGapSeconds, whole.counters[COLLECTOR_UNCOUNTED_GAP]]).toEqual([0, { [encodeLabels({ org_id: ORG_ID, family: 'alarms' })]: 0 }]);
  });

  it('reports no gap at all (not 0) when it is unknown: a first walk, or no window echoed', () => {
    for (const step of [mergeAlarms(ORG_ID, null, [alarm(1)], T, T - 86_400), mergeAlarms(ORG_ID, stateOf(T - 60, []), [alarm(1)], T, null)]) {
      expect(step.uncountedGapSeconds).toBeNull();
      expect(step.counters[COLLECTOR_UNCOUNTED_GAP]).toBeUndefined();
    }
  });

  it('counts open alarms per (site, type, severity, group), 0 where only resolved ones are retained', () => {
    const records = activeAlarms([
      alarm(1), alarm(2), alarm(3, { status: 'resolved', resolved_time: T }),
      alarm(4, { site_id: undefined }), alarm(5, { type: 'port_flap', severity: 'info', group: 'marvis', status: 'resolved', resolved_time: T }),
    ]);
    expect(records.map((r) => [r.site_id, r.type, r.active])).toEqual([[SITE, 'gateway_down', 2], [SITE, 'port_flap', 0], [null, 'gateway_down', 1]]);
  });
});

describe('the alarms window', () => {
  it('reaches back to the oldest open alarm, so a server selecting by timestamp returns it again', () => {
    expect(alarmsWindowStart(stateOf(T, []))).toBe(T - ALARM_OVERLAP_SECONDS);
    expect(alarmsWindowStart(stateOf(T, [alarm(1, { timestamp: T - 7200 }), alarm(2, { timestamp: T - 9000, status: 'resolved', resolved_time: T - 100 })]))).toBe(T - 7200);
  });

  it('never reaches back further than the lookback', () => {
    expect(alarmsWindowStart(stateOf(T, [alarm(1, { timestamp: T - 3 * ALARM_LOOKBACK_SECONDS })]))).toBe(T - ALARM_LOOKBACK_SECONDS);
  });

  it('reads no state from a snapshot without a cursor, and skips unreadable records', () => {
    expect(readAlarmsState(null)).toEqual({ state: null, unreadable: 0 });
    expect(readAlarmsState([alarm(1)]).state).toBeNull();
    const { state, unreadable } = readAlarmsState([{ kind: 'cursor', until_seconds: T }, alarm(1), { kind: 'alarm', id: 7 }]);
    expect(unreadable).toBe(1);
    expect([...state!.alarms.keys()]).toEqual([alarm(1).id]);
  });
});

describe('alarms fixtures', () => {
  it('are shaped like the spec\'s alarm_search_result', () => {
    for (const body of alarmWalks()) assertValidResponse('get', '/api/v1/orgs/{org_id}/alarms/search', 200, body);
  });

  it('count over two cycles exactly the totals the golden fixture renders for the spec org', () => {
    const [first, second] = specAlarmSteps();
    expect([first.newAlarms, second.newAlarms]).toEqual([0, 2]);
    const hand = JSON.parse(readFileSync(new URL('../fixtures/records/alarms.json', import.meta.url), 'utf8')) as { counters: Record<string, Record<string, number>> };
    const totals: Record<string, number> = {};
    for (const step of [first, second]) for (const [f, n] of Object.entries(step.counters[ALARMS_SEEN]!)) totals[f] = (totals[f] ?? 0) + n;
    const specFields = Object.fromEntries(Object.entries(hand.counters[ALARMS_SEEN]!).filter(([f]) => f.includes(SPEC_ORG_ID)));
    expect(totals).toEqual(specFields);
  });
});

describe('the alarms family over cycles (fake Mist, memory store)', () => {
  const PATH = `/api/v1/orgs/${ORG_ID}/alarms/search`;
  const row = (id: number, over: Record<string, unknown> = {}) => ({
    id: `0b1a0000-0000-4000-8000-${String(id).padStart(12, '0')}`, org_id: ORG_ID, site_id: SITE, type: 'gateway_down', group: 'infrastructure',
    severity: 'critical', count: 1, timestamp: T - 600, last_seen: T - 60, status: 'open', ...over,
  });

  async function setup(answers: { end: number; results: unknown[] }[]) {
    const queries: URLSearchParams[] = [];
    const { client } = await fakeClient({
      [PATH]: (_req, { query, n }) => {
        queries.push(query);
        const a = answers[Math.min(n, answers.length) - 1]!;
        return json({ start: Number(query.get('start')) || a.end - 86_400, end: a.end, limit: 1000, total: a.results.length, results: a.results });
      },
    });
    const store = new MemoryStore();
    const cycle = () => runCycle({ store, api: client, log: captureLog('warn').log, settings: defaultFamilySettings(), now: () => Date.now() },
      alarmsFamily, ORG_ID, 120, new AbortController().signal);
    return { queries, store, cycle };
  }

  it('reads a day back first, then from the oldest open alarm up to the server\'s now, counting each new id once', async () => {
    const { queries, store, cycle } = await setup([
      { end: T, results: [row(1, { timestamp: T - 5000 })] },
      { end: T + 120, results: [row(1, { timestamp: T - 5000, last_seen: T + 60 }), row(2, { timestamp: T + 30 })] },
      { end: T + 240, results: [row(1, { timestamp: T - 5000, status: 'resolved', resolved_time: T + 200, last_seen: T + 200 }), row(2, { timestamp: T + 30 })] },
    ]);
    for (let i = 0; i < 3; i++) expect((await cycle()).ok).toBe(true);
    expect(queries.map((q) => [q.get('start'), q.get('end'), q.get('sort')])).toEqual([
      ['-1d', 'now', 'timestamp'], [String(T - 5000), 'now', 'timestamp'], [String(T - 5000), 'now', 'timestamp'],
    ]);
    expect(await store.readCounters(ALARMS_SEEN)).toEqual({ [seenField('gateway_down', 'critical')]: 1 });
    const snap = await store.readSnapshot({ orgId: ORG_ID, family: 'alarms' });
    const records = snap!.pages.flatMap((p) => JSON.parse(p) as AlarmsRecord[]);
    expect(kinds(records, 'cursor')).toEqual([{ kind: 'cursor', until_seconds: T + 240 }]);
    expect(kinds(records, 'active')).toEqual([{ kind: 'active', site_id: SITE, type: 'gateway_down', severity: 'critical', group: 'infrastructure', active: 1 }]);
    // Once the old alarm resolved, the window starts the overlap before the last end (the open one is newer).
    await cycle();
    expect(queries.at(-1)!.get('start')).toBe(String(T + 240 - ALARM_OVERLAP_SECONDS));
  });
});
