import { readFileSync } from 'node:fs';
import { defaultFamilySettings } from '../../src/collect/family.js';
import { describe, expect, it } from 'vitest';
import { COLLECTOR_UNCOUNTED_GAP, encodeLabels, GATEWAY_EVENTS, GATEWAY_PORT_FLAPS } from '../../src/store/counters.js';
import { runCycle } from '../../src/collect/cycle.js';
import {
  applyEvents, EVENT_OVERLAP_SECONDS, eventKey, GATEWAY_EVENT_TYPES, PORT_RETENTION_SECONDS, readEventsState, type EventIn, type EventsState,
} from '../../src/families/events/collect.js';
import { eventsFamily } from '../../src/families/events/index.js';
import type { EventsRecord, PortFlapRecord } from '../../src/families/events/records.js';
import { searchGatewayEvents } from '../../src/mist/endpoints.js';
import { validateRecords } from '../../src/mist/validate.js';
import { MemoryStore } from '../../src/store/memory.js';
import { eventWalks, specEventRows, specEventSteps } from '../fixtures/records/openapi-activity.js';
import { SPEC_ORG_ID } from '../fixtures/records/openapi.js';
import { fakeClient, json, ORG_ID } from '../support/mist-fake.js';
import { assertValidResponse } from '../support/openapi.js';
import { captureLog } from '../support/redis-store.js';

const T = 1_790_000_000;
const SITE = '5e7a0000-0000-4000-8000-000000000001';
const MAC = '020000000001';
const flapField = (port: string, mac = MAC, site = SITE): string => encodeLabels({ org_id: ORG_ID, site_id: site, mac, port_id: port });
const typeField = (type: string): string => encodeLabels({ org_id: ORG_ID, event_type: type });
const ev = (type: string, timestamp: number, port?: string, over: Partial<EventIn> = {}): EventIn =>
  ({ type, timestamp, site_id: SITE, mac: MAC, ...(port ? { port_id: port, text: `Port ${port} is ${type.endsWith('UP') ? 'up' : 'down'}` } : {}), ...over });
const EMPTY: EventsState = { cursor: null, ports: new Map() };
const cursorAt = (until: number, seen: string[] = [], ports: PortFlapRecord[] = []): EventsState =>
  ({ cursor: { until, seen: new Set(seen) }, ports: new Map(ports.map((p) => [`${p.mac}|${p.port_id}`, p])) });
const ports = (records: readonly EventsRecord[]) => records.filter((r): r is PortFlapRecord => r.kind === 'port');
const nonZero = (fields: Record<string, number> | undefined) => Object.fromEntries(Object.entries(fields ?? {}).filter(([, n]) => n !== 0));

describe('applying a walk of gateway events', () => {
  it('counts nothing on a first walk, learns last flaps and starts series at 0 (WAN ports, flapped ports, every type)', () => {
    const step = applyEvents({ orgId: ORG_ID, previous: EMPTY, until: T, wanPorts: [{ site_id: SITE, mac: MAC, port_id: 'ge-0/0/1' }, { site_id: SITE, mac: MAC, port_id: 'ge-0/0/0' }],
      events: [ev('GW_PORT_DOWN', T - 600, 'ge-0/0/0'), ev('GW_PORT_UP', T - 540, 'ge-0/0/0')] });
    expect(step.counted).toBe(0);
    expect(step.counters[GATEWAY_PORT_FLAPS]).toEqual({ [flapField('ge-0/0/0')]: 0, [flapField('ge-0/0/1')]: 0 });
    expect(Object.keys(step.counters[GATEWAY_EVENTS]!)).toHaveLength(GATEWAY_EVENT_TYPES.length);
    expect(nonZero(step.counters[GATEWAY_EVENTS])).toEqual({});
    expect(ports(step.records).map((p) => [p.port_id, p.last_flap_seconds])).toEqual([['ge-0/0/0', T - 540], ['ge-0/0/1', null]]);
  });

  it('counts each GW_PORT_DOWN and GW_PORT_UP once for its port only, and every event by type', () => {
    const step = applyEvents({ orgId: ORG_ID, previous: cursorAt(T), until: T + 60, served: T - EVENT_OVERLAP_SECONDS, wanPorts: null, events: [
      ev('GW_PORT_UP', T + 50, 'ge-0/0/0'), ev('GW_PORT_DOWN', T + 10, 'ge-0/0/0'),
      ev('GW_VPN_PATH_DOWN', T + 10, 'ge-0/0/0', { text: 'ipsec path ge-0/0/0 -> hub-1 is down' }), ev('GW_DISCONNECTED', T + 20),
    ] });
    expect(step.counted).toBe(4);
    expect(nonZero(step.counters[GATEWAY_PORT_FLAPS])).toEqual({ [flapField('ge-0/0/0')]: 2 });
    expect(nonZero(step.counters[GATEWAY_EVENTS])).toEqual({
      [typeField('GW_PORT_DOWN')]: 1, [typeField('GW_PORT_UP')]: 1, [typeField('GW_VPN_PATH_DOWN')]: 1, [typeField('GW_DISCONNECTED')]: 1,
    });
    expect(ports(step.records)).toEqual([{ kind: 'port', site_id: SITE, mac: MAC, port_id: 'ge-0/0/0', last_flap_seconds: T + 50, transitions: [[T + 10, false], [T + 50, true]] }]);
    expect(step.uncountedGapSeconds).toBe(0);
  });

  it('after a gap longer than Mist serves, counts every new event it returns and reports what it did not serve as the uncounted gap', () => {
    const until = T + 3 * 86_400;
    const served = until - 6 * 3600; // Mist answered a window starting later than asked (cursor - overlap)
    const step = applyEvents({ orgId: ORG_ID, previous: cursorAt(T), until, served, wanPorts: null, events: [
      ev('GW_PORT_UP', served, 'ge-0/0/0'), ev('GW_PORT_DOWN', until - 60, 'ge-0/0/1'),
    ] });
    expect(step.uncountedGapSeconds).toBe(served - T);
    expect(step.counters[COLLECTOR_UNCOUNTED_GAP]).toEqual({ [encodeLabels({ org_id: ORG_ID, family: 'events' })]: served - T });
    expect(step.counted).toBe(2);
    expect(nonZero(step.counters[GATEWAY_PORT_FLAPS])).toEqual({ [flapField('ge-0/0/0')]: 1, [flapField('ge-0/0/1')]: 1 });
    // Whatever Mist serves is counted, however long the gap: a server serving from the cursor leaves no gap.
    const within = applyEvents({ orgId: ORG_ID, previous: cursorAt(T), until: T + 2 * 86_400, served: T - EVENT_OVERLAP_SECONDS, wanPorts: null, events: [ev('GW_PORT_DOWN', T + 1, 'ge-0/0/0')] });
    expect([within.uncountedGapSeconds, within.counted]).toEqual([0, 1]);
  });

  it('reports no gap at all (not 0) when it is unknown: a first walk, or no window echoed', () => {
    for (const step of [
      applyEvents({ orgId: ORG_ID, previous: EMPTY, until: T, served: T - 3600, wanPorts: null, events: [] }),
      applyEvents({ orgId: ORG_ID, previous: cursorAt(T - 60), until: T, served: null, wanPorts: null, events: [] }),
    ]) {
      expect(step.uncountedGapSeconds).toBeNull();
      expect(step.counters[COLLECTOR_UNCOUNTED_GAP]).toBeUndefined();
    }
  });

  it('moves a port whose gateway moved to another site to the new site (wan-ports says so), starting at 0', () => {
    const NEW = '5e7a0000-0000-4000-8000-000000000002';
    const old: PortFlapRecord = { kind: 'port', site_id: SITE, mac: MAC, port_id: 'ge-0/0/0', last_flap_seconds: T - 100 };
    const step = applyEvents({ orgId: ORG_ID, previous: cursorAt(T, [], [old]), until: T + 60, wanPorts: [{ site_id: NEW, mac: MAC, port_id: 'ge-0/0/0' }],
      events: [ev('GW_PORT_DOWN', T + 10, 'ge-0/0/0', { site_id: SITE })] });
    expect(step.counters[GATEWAY_PORT_FLAPS]).toEqual({ [flapField('ge-0/0/0', MAC, NEW)]: 1 });
    expect(ports(step.records).map((p) => [p.site_id, p.last_flap_seconds])).toEqual([[NEW, T + 10]]);
    const quiet = applyEvents({ orgId: ORG_ID, previous: cursorAt(T, [], [old]), until: T + 60, wanPorts: [{ site_id: NEW, mac: MAC, port_id: 'ge-0/0/0' }], events: [] });
    expect(quiet.counters[GATEWAY_PORT_FLAPS]).toEqual({ [flapField('ge-0/0/0', MAC, NEW)]: 0 });
  });

  it('keeps a port\'s transitions of the last day only', () => {
    const old: PortFlapRecord = { kind: 'port', site_id: SITE, mac: MAC, port_id: 'ge-0/0/0', last_flap_seconds: T, transitions: [[T - 90_000, false], [T, true]] };
    const step = applyEvents({ orgId: ORG_ID, previous: cursorAt(T, [], [old]), until: T + 60, wanPorts: null, events: [ev('GW_PORT_DOWN', T + 30, 'ge-0/0/0')] });
    expect(ports(step.records)[0]!.transitions).toEqual([[T, true], [T + 30, false]]);
  });

  it('counts the same event once when a walk returns it twice, or when the next walk\'s overlap returns it again', () => {
    const down = ev('GW_PORT_DOWN', T + 10, 'ge-0/0/0');
    const first = applyEvents({ orgId: ORG_ID, previous: cursorAt(T), until: T + 60, wanPorts: null, events: [down, { ...down }] });
    expect([first.counted, first.duplicates]).toEqual([1, 1]);
    const again = applyEvents({ orgId: ORG_ID, previous: readEventsState(JSON.parse(JSON.stringify(first.records)) as unknown[]).state,
      until: T + 120, wanPorts: null, events: [down, ev('GW_PORT_UP', T + 70, 'ge-0/0/0')] });
    expect([again.counted, again.duplicates]).toEqual([1, 1]);
    expect(nonZero(again.counters[GATEWAY_PORT_FLAPS])).toEqual({ [flapField('ge-0/0/0')]: 1 });
  });

  it('tells apart events of one instant that differ by port or text (VPN paths of one port to two hubs)', () => {
    const a = ev('GW_VPN_PATH_DOWN', T, 'ge-0/0/0', { text: 'ipsec path ge-0/0/0 -> hub-1:ge-0/0/0 is down' });
    const b = { ...a, text: 'ipsec path ge-0/0/0 -> hub-2:ge-0/0/0 is down' };
    expect(new Set([eventKey(a), eventKey(b), eventKey({ ...a, port_id: 'ge-0/0/1' }), eventKey({ ...a, mac: 'x' })]).size).toBe(4);
    expect(applyEvents({ orgId: ORG_ID, previous: cursorAt(T - 60), until: T + 60, wanPorts: null, events: [a, b] }).counted).toBe(2);
  });

  it('keeps the keys of the overlap only, and never moves the cursor back', () => {
    // The walk ends at T, before the previous one (T + 30): the cursor stays at T + 30, keys from T + 30 - overlap.
    const old = ev('GW_PORT_DOWN', T + 30 - EVENT_OVERLAP_SECONDS - 1, 'ge-0/0/0');
    const inside = ev('GW_PORT_UP', T + 30 - EVENT_OVERLAP_SECONDS, 'ge-0/0/0');
    const step = applyEvents({ orgId: ORG_ID, previous: cursorAt(T + 30), until: T, wanPorts: null, events: [old, inside] });
    expect(step.records[0]).toEqual({ kind: 'cursor', until_seconds: T + 30, seen: [eventKey(inside)] });
  });

  it('keeps only the WAN ports of the wan-ports snapshot, and without one drops ports a week after their last flap', () => {
    const lan: PortFlapRecord = { kind: 'port', site_id: SITE, mac: MAC, port_id: 'ge-0/0/5', last_flap_seconds: T - PORT_RETENTION_SECONDS - 1 };
    const wanOld: PortFlapRecord = { ...lan, port_id: 'ge-0/0/0' };
    const lanRecent: PortFlapRecord = { ...lan, port_id: 'ge-0/0/6', last_flap_seconds: T - 3600 };
    const previous = cursorAt(T - 60, [], [lan, wanOld, lanRecent]);
    const withWan = applyEvents({ orgId: ORG_ID, previous, until: T, wanPorts: [{ site_id: SITE, mac: MAC, port_id: 'ge-0/0/0' }], events: [] });
    expect(ports(withWan.records).map((p) => p.port_id)).toEqual(['ge-0/0/0']);
    // A WAN port already known gets no new 0 (its series exists); nothing flapped, nothing counted.
    expect(withWan.counters[GATEWAY_PORT_FLAPS]).toEqual({});
    expect(ports(applyEvents({ orgId: ORG_ID, previous, until: T, wanPorts: null, events: [] }).records).map((p) => p.port_id)).toEqual(['ge-0/0/6']);
  });

  it('labels a port by the site it is known at when an event carries no site_id', () => {
    const step = applyEvents({ orgId: ORG_ID, previous: cursorAt(T), until: T + 60, wanPorts: [{ site_id: SITE, mac: MAC, port_id: 'ge-0/0/0' }],
      events: [ev('GW_PORT_DOWN', T + 5, 'ge-0/0/0', { site_id: undefined })] });
    expect(step.counters[GATEWAY_PORT_FLAPS]).toEqual({ [flapField('ge-0/0/0')]: 1 });
  });
});

describe('the gateway events endpoint', () => {
  it('asks for gateway events of the listed types up to the server\'s now, oldest first', () => {
    expect(searchGatewayEvents(ORG_ID, GATEWAY_EVENT_TYPES, T - 300.7).query).toEqual({
      device_type: 'gateway', type: GATEWAY_EVENT_TYPES.join(','), start: T - 301, end: 'now', sort: 'timestamp',
    });
  });

  it('leaves out the spec examples\' switch, AP and client rows, and gateway events of other types', () => {
    const endpoint = searchGatewayEvents(ORG_ID, GATEWAY_EVENT_TYPES, 0);
    const rows = [...specEventRows(), { type: 'GW_CONFIGURED', timestamp: T, device_type: 'gateway', mac: MAC }, { type: 'GW_PORT_UP', timestamp: T, mac: MAC, port_id: 'ge-0/0/0' }];
    const v = validateRecords(rows, endpoint.schema, endpoint.keep);
    expect(specEventRows()).toHaveLength(3);
    expect(v.records).toEqual([{ type: 'GW_PORT_UP', timestamp: T, mac: MAC, port_id: 'ge-0/0/0' }]);
    expect(v.dropped).toEqual({});
  });
});

describe('gateway events fixtures', () => {
  it('are shaped like the spec\'s device events search result', () => {
    for (const body of eventWalks()) assertValidResponse('get', '/api/v1/orgs/{org_id}/devices/events/search', 200, body);
  });

  it('count over two cycles exactly the totals the golden fixture renders for the spec org, skipping the boundary duplicates', () => {
    const [first, second] = specEventSteps();
    expect([first.counted, second.counted, second.duplicates]).toEqual([0, 5, 2]);
    const hand = JSON.parse(readFileSync(new URL('../fixtures/records/events.json', import.meta.url), 'utf8')) as { counters: Record<string, Record<string, number>> };
    for (const group of [GATEWAY_PORT_FLAPS, GATEWAY_EVENTS]) {
      const totals: Record<string, number> = {};
      for (const step of [first, second]) for (const [f, n] of Object.entries(step.counters[group]!)) totals[f] = (totals[f] ?? 0) + n;
      expect(totals, group).toEqual(Object.fromEntries(Object.entries(hand.counters[group]!).filter(([f]) => f.includes(SPEC_ORG_ID))));
    }
  });
});

describe('the events family over cycles (fake Mist, memory store)', () => {
  it('takes the latest event as its cursor when the server announces no window, and starts over when it has nothing', async () => {
    const bodies = [{ results: [] as unknown[] }, { results: [{ type: 'GW_PORT_DOWN', timestamp: T - 50, mac: MAC, port_id: 'ge-0/0/0' }] }];
    const { client } = await fakeClient({ [`/api/v1/orgs/${ORG_ID}/devices/events/search`]: (_req, { n }) => json({ limit: 1000, total: 0, ...bodies[Math.min(n, 2) - 1] }) });
    const store = new MemoryStore();
    const run = () => runCycle({ store, api: client, log: captureLog('warn').log, settings: defaultFamilySettings(), now: () => Date.now() },
      eventsFamily, ORG_ID, 60, new AbortController().signal);
    expect((await run()).ok).toBe(true);
    const cursors = async () => (await store.readSnapshot({ orgId: ORG_ID, family: 'events' }))!.pages.flatMap((p) => JSON.parse(p) as EventsRecord[]).filter((r) => r.kind === 'cursor');
    expect(await cursors()).toEqual([]);
    expect((await run()).ok).toBe(true);
    expect((await cursors()).map((c) => c.until_seconds)).toEqual([T - 50]);
  });

  const PATH = `/api/v1/orgs/${ORG_ID}/devices/events/search`;
  const row = (type: string, timestamp: number, port: string) => ({ type, timestamp, org_id: ORG_ID, site_id: SITE, mac: MAC, device_type: 'gateway', port_id: port, text: `${type} ${port}` });

  it('reads an hour back first, then from the overlap before the server\'s last end; a restarted collector goes on counting', async () => {
    const queries: URLSearchParams[] = [];
    const answers = [
      { end: T, results: [row('GW_PORT_DOWN', T - 100, 'ge-0/0/0')] },
      { end: T + 60, results: [row('GW_PORT_DOWN', T - 100, 'ge-0/0/0'), row('GW_PORT_UP', T + 20, 'ge-0/0/0')] },
      { end: T + 120, results: [row('GW_PORT_UP', T + 20, 'ge-0/0/0')] },
    ];
    const { client } = await fakeClient({
      [PATH]: (_req, { query, n }) => {
        queries.push(query);
        const a = answers[Math.min(n, answers.length) - 1]!;
        return json({ start: 0, end: a.end, limit: 1000, total: a.results.length, results: a.results });
      },
    });
    const store = new MemoryStore();
    // Each cycle as a fresh collector would run it: only the store carries state.
    const cycle = () => runCycle({ store, api: client, log: captureLog('warn').log, settings: defaultFamilySettings(), now: () => Date.now() },
      eventsFamily, ORG_ID, 60, new AbortController().signal);
    for (let i = 0; i < 3; i++) expect((await cycle()).ok).toBe(true);
    expect(queries.map((q) => q.get('start'))).toEqual(['-1h', String(T - EVENT_OVERLAP_SECONDS), String(T + 60 - EVENT_OVERLAP_SECONDS)]);
    expect(queries.every((q) => q.get('end') === 'now' && q.get('device_type') === 'gateway')).toBe(true);
    expect(await store.readCounters(GATEWAY_PORT_FLAPS)).toEqual({ [flapField('ge-0/0/0')]: 1 });
    expect((await store.readCounters(GATEWAY_EVENTS))[typeField('GW_PORT_UP')]).toBe(1);
    const snap = await store.readSnapshot({ orgId: ORG_ID, family: 'events' });
    const records = snap!.pages.flatMap((p) => JSON.parse(p) as EventsRecord[]);
    expect(ports(records)).toEqual([{ kind: 'port', site_id: SITE, mac: MAC, port_id: 'ge-0/0/0', last_flap_seconds: T + 20, transitions: [[T - 100, false], [T + 20, true]] }]);
    // The same records are the family's state, which outlives the snapshot.
    expect(JSON.parse((await store.readState({ orgId: ORG_ID, family: 'events' }))!)).toEqual(records);
  });
});
