import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALARMS_SEEN, encodeLabels } from '../../src/store/counters.js';
import { alarmsCatalogue } from '../../src/families/alarms/catalogue.js';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { LiveCounters, counterScope } from '../../src/metrics/counter-liveness.js';
import { renderFamily } from '../../src/metrics/exposition.js';
import type { CounterMetricDef, FamilyCatalogue } from '../../src/metrics/types.js';

/**
 * The renderer's two ghost rules on a small synthetic catalogue (not today's families, which are changing):
 * a series is rendered once however often its record repeats, and a stored counter series only while a record
 * still has what it counts.
 */
const Rec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('port'), site_id: z.string(), mac: z.string(), port_id: z.string(), up: z.number().nullable() }),
  z.object({ kind: z.literal('gw'), site_id: z.string(), mac: z.string(), name: z.string() }),
  z.object({ kind: z.literal('state'), cursor: z.string() }),
]);
type Rec = z.infer<typeof Rec>;
type Row = Rec & { org_id: string };
const port = (r: Row): Extract<Row, { kind: 'port' }> => r as Extract<Row, { kind: 'port' }>;
const gw = (r: Row): Extract<Row, { kind: 'gw' }> => r as Extract<Row, { kind: 'gw' }>;

const counter = (name: string, group: string, labels: string[], over: Partial<CounterMetricDef> = {}): CounterMetricDef =>
  ({ name, unit: 'count', help: `${name}.`, group, labels, ...over });

const catalogue: FamilyCatalogue<Rec> = {
  family: 'synthetic',
  schema: Rec,
  groups: [
    { select: (r) => r.kind === 'gw', labels: ['org_id', 'site_id', 'mac', 'name'], labelValues: (r) => [r.org_id, gw(r).site_id, gw(r).mac, gw(r).name],
      metrics: [{ name: 'mist_syn_gateway_info', type: 'gauge', unit: 'info', help: 'Info.', value: () => 1 }] },
    { select: (r) => r.kind === 'port', labels: ['org_id', 'site_id', 'mac', 'port_id'], labelValues: (r) => [r.org_id, port(r).site_id, port(r).mac, port(r).port_id],
      metrics: [{ name: 'mist_syn_port_up', type: 'gauge', unit: 'boolean', help: 'Up.', value: (r) => port(r).up }] },
  ],
  counters: [
    counter('mist_syn_port_flaps_total', 'flaps', ['org_id', 'site_id', 'mac', 'port_id']),
    counter('mist_syn_circuit_moves_total', 'moves', ['org_id', 'site_id', 'mac', 'port_id', 'to_port_id']),
    counter('mist_syn_events_total', 'events', ['org_id', 'event_type']),
    // Live while the gateway is, even when the port is gone.
    counter('mist_syn_port_resets_total', 'resets', ['org_id', 'site_id', 'mac', 'port_id'], { liveBy: ['org_id', 'site_id', 'mac'] }),
    counter('mist_syn_api_total', 'api', ['endpoint']),
  ],
};

const p = (site: string, mac: string, portId: string, up: number | null = 1): Rec => ({ kind: 'port', site_id: site, mac, port_id: portId, up });
const lines = (text: string, name: string): string[] => text.split('\n').filter((l) => l.startsWith(`${name}{`));

describe('counterScope', () => {
  it('picks the group sharing the most labels, only the shared labels, in the counter\'s order', () => {
    const groups = catalogue.groups;
    expect(counterScope(catalogue.counters![0]!, groups)).toEqual({ group: 1, labels: ['org_id', 'site_id', 'mac', 'port_id'], at: [0, 1, 2, 3] });
    expect(counterScope(catalogue.counters![1]!, groups)).toEqual({ group: 1, labels: ['org_id', 'site_id', 'mac', 'port_id'], at: [0, 1, 2, 3] });
    // A tie (both groups carry org_id only): the first group decides.
    expect(counterScope(catalogue.counters![2]!, groups)).toEqual({ group: 0, labels: ['org_id'], at: [0] });
    expect(counterScope(catalogue.counters![3]!, groups)).toEqual({ group: 0, labels: ['org_id', 'site_id', 'mac'], at: [0, 1, 2] });
    expect(counterScope(catalogue.counters![4]!, groups)).toBeNull();
  });

  it('refuses a liveBy no single group carries, or that names a label the counter does not have', () => {
    expect(() => counterScope(counter('x', 'g', ['org_id', 'port_id', 'name'], { liveBy: ['org_id', 'port_id', 'name'] }), catalogue.groups)).toThrow(/liveBy/);
    expect(() => counterScope(counter('x', 'g', ['org_id'], { liveBy: ['org_id', 'name'] }), catalogue.groups)).toThrow(/liveBy/);
  });

  it('LiveCounters: live when the scope values were added for the scope\'s group, whatever the other labels', () => {
    const live = new LiveCounters(catalogue.counters!, catalogue.groups);
    live.add(1, ['o', 's', 'm', 'ge-0/0/1']);
    expect(live.isLive(1, { org_id: 'o', site_id: 's', mac: 'm', port_id: 'ge-0/0/1', to_port_id: 'anything' })).toBe(true);
    expect(live.isLive(1, { org_id: 'o', site_id: 's2', mac: 'm', port_id: 'ge-0/0/1', to_port_id: 'x' })).toBe(false);
    // events_total's scope is group 0 (gateways): a port record does not make its org live.
    expect(live.isLive(2, { org_id: 'o', event_type: 'E' })).toBe(false);
    live.add(0, ['o', 's', 'm', 'gw1']);
    expect(live.isLive(2, { org_id: 'o', event_type: 'E' })).toBe(true);
    expect(live.isLive(4, { endpoint: 'whatever' })).toBe(true);
  });
});

describe('renderFamily: counters only for live things', () => {
  const counters = {
    flaps: {
      [encodeLabels({ org_id: 'o', site_id: 's1', mac: 'aa', port_id: 'ge-0/0/1' })]: 3,
      // The same gateway, moved from site s0: its old series is a ghost.
      [encodeLabels({ org_id: 'o', site_id: 's0', mac: 'aa', port_id: 'ge-0/0/1' })]: 9,
      // A decommissioned gateway.
      [encodeLabels({ org_id: 'o', site_id: 's1', mac: 'dead', port_id: 'ge-0/0/1' })]: 5,
      // Another org with no records at all.
      [encodeLabels({ org_id: 'other', site_id: 's1', mac: 'aa', port_id: 'ge-0/0/1' })]: 1,
    },
    moves: {
      [encodeLabels({ org_id: 'o', site_id: 's1', mac: 'aa', port_id: 'ge-0/0/1', to_port_id: 'ge-0/0/2' })]: 2,
      [encodeLabels({ org_id: 'o', site_id: 's1', mac: 'aa', port_id: 'ge-0/0/9', to_port_id: 'ge-0/0/1' })]: 4,
    },
    events: { [encodeLabels({ org_id: 'o', event_type: 'GW_PORT_UP' })]: 7, [encodeLabels({ org_id: 'gone', event_type: 'GW_PORT_UP' })]: 8 },
    resets: {
      [encodeLabels({ org_id: 'o', site_id: 's1', mac: 'aa', port_id: 'ge-0/0/7' })]: 1,
      [encodeLabels({ org_id: 'o', site_id: 's1', mac: 'dead', port_id: 'ge-0/0/1' })]: 6,
    },
    api: { [encodeLabels({ endpoint: 'stats' })]: 11 },
  };
  const records: Rec[] = [
    { kind: 'state', cursor: 'c' }, { kind: 'gw', site_id: 's1', mac: 'aa', name: 'gw-a' }, p('s1', 'aa', 'ge-0/0/1'), p('s1', 'aa', 'ge-0/0/2'),
  ];

  it('renders a stored counter series only when a record of its scope group has its scope values', async () => {
    const { text, series } = await renderFamily(catalogue, [{ orgId: 'o', records }], counters);
    expect(lines(text, 'mist_syn_port_flaps_total')).toEqual(['mist_syn_port_flaps_total{org_id="o",site_id="s1",mac="aa",port_id="ge-0/0/1"} 3']);
    // Per circuit: the extra label (to_port_id) is not checked, the circuit it left (port_id) is.
    expect(lines(text, 'mist_syn_circuit_moves_total')).toEqual(['mist_syn_circuit_moves_total{org_id="o",site_id="s1",mac="aa",port_id="ge-0/0/1",to_port_id="ge-0/0/2"} 2']);
    expect(lines(text, 'mist_syn_events_total')).toEqual(['mist_syn_events_total{org_id="o",event_type="GW_PORT_UP"} 7']);
    // liveBy: the gateway's record keeps it, though no record has port ge-0/0/7.
    expect(lines(text, 'mist_syn_port_resets_total')).toEqual(['mist_syn_port_resets_total{org_id="o",site_id="s1",mac="aa",port_id="ge-0/0/7"} 1']);
    expect(lines(text, 'mist_syn_api_total')).toEqual(['mist_syn_api_total{endpoint="stats"} 11']);
    expect(series).toBe(1 + 2 + 5);
  });

  it('renders no family counter with a scope once the family has no records (and no HELP for it)', async () => {
    const { text } = await renderFamily(catalogue, [{ orgId: 'o', records: [{ kind: 'state', cursor: 'c' }] }], counters);
    expect(text).toBe(['# HELP mist_syn_api_total mist_syn_api_total.', '# TYPE mist_syn_api_total counter', 'mist_syn_api_total{endpoint="stats"} 11', ''].join('\n'));
  });

  it('brings a series back with its stored (monotonic) value when its record comes back', async () => {
    const back = await renderFamily(catalogue, [{ orgId: 'o', records: [p('s1', 'dead', 'ge-0/0/1')] }], counters);
    expect(lines(back.text, 'mist_syn_port_flaps_total')).toEqual(['mist_syn_port_flaps_total{org_id="o",site_id="s1",mac="dead",port_id="ge-0/0/1"} 5']);
  });
});

describe('renderFamily: one series per identity', () => {
  it('renders a repeated record once, from the first record, and counts the repeat', async () => {
    const pages = [JSON.stringify([p('s1', 'aa', 'ge-0/0/1', 1), p('s1', 'aa', 'ge-0/0/2', 1)]), JSON.stringify([p('s1', 'aa', 'ge-0/0/2', 0), p('s1', 'aa', 'ge-0/0/3', null)])];
    const out = await renderFamily(catalogue, [{ orgId: 'o', pages }]);
    expect(lines(out.text, 'mist_syn_port_up')).toEqual([
      'mist_syn_port_up{org_id="o",site_id="s1",mac="aa",port_id="ge-0/0/1"} 1',
      'mist_syn_port_up{org_id="o",site_id="s1",mac="aa",port_id="ge-0/0/2"} 1',
    ]);
    expect(out).toMatchObject({ series: 2, duplicates: 1, invalid: 0 });
  });

  it('keeps the first record whole: a repeat without a value does not remove the first one\'s', async () => {
    const out = await renderFamily(catalogue, [{ orgId: 'o', records: [p('s1', 'aa', 'ge-0/0/1', 1), p('s1', 'aa', 'ge-0/0/1', null)] }]);
    expect(lines(out.text, 'mist_syn_port_up')).toEqual(['mist_syn_port_up{org_id="o",site_id="s1",mac="aa",port_id="ge-0/0/1"} 1']);
    expect(out.duplicates).toBe(1);
  });

  it('a repeat that differs only in an info label adds no second info series (identity, not label strings, decides)', async () => {
    // Two groups render a port: its info (with a descriptive label) and its state (identity labels only).
    const withInfo: FamilyCatalogue<Rec> = { ...catalogue, counters: [], groups: [
      { select: (r) => r.kind === 'port', labels: ['org_id', 'site_id', 'mac', 'port_id', 'name'], labelValues: (r) => [r.org_id, port(r).site_id, port(r).mac, port(r).port_id, String(port(r).up)],
        metrics: [{ name: 'mist_syn_port_info', type: 'gauge', unit: 'info', help: 'Info.', value: () => 1 }] },
      catalogue.groups[1]!,
    ] };
    const out = await renderFamily(withInfo, [{ orgId: 'o', records: [p('s1', 'aa', 'x', 1), p('s1', 'aa', 'x', 0), p('s1', 'aa', 'y', 0)] }]);
    expect(lines(out.text, 'mist_syn_port_info')).toEqual([
      'mist_syn_port_info{org_id="o",site_id="s1",mac="aa",port_id="x",name="1"} 1',
      'mist_syn_port_info{org_id="o",site_id="s1",mac="aa",port_id="y",name="0"} 1',
    ]);
    expect(lines(out.text, 'mist_syn_port_up')).toEqual([
      'mist_syn_port_up{org_id="o",site_id="s1",mac="aa",port_id="x"} 1',
      'mist_syn_port_up{org_id="o",site_id="s1",mac="aa",port_id="y"} 0',
    ]);
    expect(out).toMatchObject({ series: 4, duplicates: 1 });
  });

  it('does not count the same series of different orgs, nor records no group renders, as repeats', async () => {
    const state: Rec = { kind: 'state', cursor: 'c' };
    const out = await renderFamily(catalogue, [{ orgId: 'o', records: [p('s', 'm', 'x'), state, state] }, { orgId: 'o2', records: [p('s', 'm', 'x')] }]);
    expect(out).toMatchObject({ series: 2, duplicates: 0 });
  });

  it('counts each repeated record once, and never renders a label string twice in a group', async () => {
    const twoGroups: FamilyCatalogue<Rec> = { ...catalogue, counters: [], groups: [catalogue.groups[1]!, { ...catalogue.groups[1]!, labels: ['org_id', 'mac'], labelValues: (r) => [r.org_id, port(r).mac] }] };
    const out = await renderFamily(twoGroups, [{ orgId: 'o', records: [p('s', 'm', 'x'), p('s', 'm', 'x'), p('s', 'm', 'y')] }]);
    // Record 2 repeats in both groups (1 duplicate); record 3 would repeat the (org_id, mac) series: skipped whole.
    expect(out.duplicates).toBe(2);
    expect(out.series).toBe(1 + 1);
    expect(out.text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toHaveLength(2);
  });
});

describe('today\'s catalogues', () => {
  it('every group rendering the same records as another refines it: the fewest-labels group carries the identity labels', () => {
    for (const c of FAMILY_CATALOGUES) {
      const groups = c.groups as readonly { select?: unknown; labels: readonly string[] }[];
      for (const g of groups) {
        const same = groups.filter((o) => o.select === g.select);
        const id = same.reduce((a, b) => (b.labels.length < a.labels.length ? b : a));
        expect({ family: c.family, missing: id.labels.filter((l) => !g.labels.includes(l)) }).toEqual({ family: c.family, missing: [] });
      }
    }
  });

  it('alarms seen stay on /metrics while the org is collected, with no alarm of the kind open or recent', async () => {
    const field = encodeLabels({ org_id: 'o', alarm_type: 'gateway_down', severity: 'critical' });
    const counters = { [ALARMS_SEEN]: { [field]: 4 } };
    const idle = await renderFamily(alarmsCatalogue, [{ orgId: 'o', records: [{ kind: 'cursor', until_seconds: 1_700_000_000 }] }], counters);
    expect(lines(idle.text, 'mist_alarms_seen_total')).toEqual(['mist_alarms_seen_total{org_id="o",alarm_type="gateway_down",severity="critical"} 4']);
    // An org no longer collected (no snapshot, so no cursor record): its totals leave with it.
    const gone = await renderFamily(alarmsCatalogue, [{ orgId: 'o2', records: [{ kind: 'cursor', until_seconds: 1_700_000_000 }] }], counters);
    expect(lines(gone.text, 'mist_alarms_seen_total')).toEqual([]);
  });
});
