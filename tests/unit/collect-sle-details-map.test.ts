import { describe, expect, it } from 'vitest';
import { type DegradedPair } from '../../src/families/sle-details/collect.js';
import { classifierRecords, degradedShare, detailsRecord, gatewayRecords, interfaceRecords, thresholdRecord } from '../../src/families/sle-details/map.js';
import { SleDetailsRecordSchema } from '../../src/families/sle-details/records.js';
import {
  ImpactedGatewaysSchema, ImpactedInterfacesSchema, SleSummaryTrendSchema, SleThresholdSchema,
} from '../../src/mist/schemas/sle.js';
import { sleExample } from '../fixtures/records/openapi-sle.js';
import type { PortsByMac } from '../../src/families/vpn-peers/ports.js';

/** The pure mappings of the sle-details family: Mist's SLE site endpoints → degraded shares in 0–1. */

const SITE = '5e7a0000-0000-4000-8000-000000000001';
const LINK: DegradedPair = { site_id: SITE, sle: 'wan-link-health', score: 0.5 };
const GW: DegradedPair = { site_id: SITE, sle: 'gateway-health', score: 0.75 };
const sum = (xs: readonly (number | null)[]): number => xs.reduce<number>((s, x) => s + (x ?? 0), 0);
const valid = (records: readonly unknown[]): void => {
  for (const r of records) expect(SleDetailsRecordSchema.safeParse(r).success, JSON.stringify(r)).toBe(true);
};

describe('degradedShare', () => {
  it('is Σdegraded / Σtotal over the buckets where both are known', () => {
    expect(degradedShare([1, 2, null, 3], [10, 10, 10, null])).toBeCloseTo(3 / 20, 12);
  });
  it('is null (unknown) when nothing was measured, and 0 when measured minutes were all fine', () => {
    expect(degradedShare([], [])).toBeNull();
    expect(degradedShare([0, 0], [0, 0])).toBeNull();
    expect(degradedShare([null], [5])).toBeNull();
    expect(degradedShare([0, 0], [5, 5])).toBe(0);
  });
  it('stays within 0-1 when Mist rounds degraded above total', () => {
    expect(degradedShare([10.0001], [10])).toBe(1);
  });
});

describe('classifierRecords', () => {
  it('maps every classifier of the spec summary example to its share of the window', () => {
    const trend = SleSummaryTrendSchema.parse(sleExample('SleSummaryExample.json'));
    const raw = (sleExample('SleSummaryExample.json') as { classifiers: { name: string; samples: { degraded: number[]; total: number[] } }[] }).classifiers;
    const { records, dropped } = classifierRecords(LINK, trend);
    expect(dropped).toEqual({});
    expect(records.map((r) => (r.kind === 'classifier' ? r.classifier : ''))).toEqual(raw.map((c) => c.name));
    records.forEach((r, i) => {
      expect(r).toMatchObject({ kind: 'classifier', site_id: SITE, sle: 'wan-link-health' });
      expect(r.kind === 'classifier' && r.degraded_ratio).toBeCloseTo(sum(raw[i]!.samples.degraded) / sum(raw[i]!.samples.total), 12);
    });
    valid(records);
  });

  it('uses the SLE\'s totals for a classifier without its own, skips unmeasured ones, and drops nameless rows', () => {
    const trend = SleSummaryTrendSchema.parse({
      start: 0, end: 3600,
      sle: { name: 'wan-link-health', samples: { total: [30, 30], degraded: [10, 5] } },
      classifiers: [
        { name: 'interface-port-down', samples: { degraded: [10, 0] } },
        { name: 'network-loss', samples: { total: [30, 30], degraded: [0, 5] } },
        { name: 'network-jitter' },
        { samples: { total: [1], degraded: [1] } },
        { name: 'network-loss', samples: { total: [1], degraded: [1] } },
      ],
    });
    const { records, dropped } = classifierRecords(LINK, trend);
    expect(records).toEqual([
      { kind: 'classifier', site_id: SITE, sle: 'wan-link-health', classifier: 'interface-port-down', degraded_ratio: 10 / 60 },
      { kind: 'classifier', site_id: SITE, sle: 'wan-link-health', classifier: 'network-loss', degraded_ratio: 5 / 60 },
      // A repeated classifier is kept here; the renderer renders the first and counts the repeat (exposition.ts).
      { kind: 'classifier', site_id: SITE, sle: 'wan-link-health', classifier: 'network-loss', degraded_ratio: 1 },
    ]);
    expect(Object.values(dropped)).toEqual([1]);
    expect(Object.keys(dropped)[0]).toMatch(/^name: /);
  });

  it('accepts a trend whose sle or classifiers are null (Mist answered with nothing to say)', () => {
    const trend = SleSummaryTrendSchema.parse({ start: 0, end: 10, sle: null, classifiers: null });
    expect(classifierRecords(GW, trend)).toEqual({ records: [], dropped: {} });
    expect(detailsRecord(GW, trend)).toEqual({ kind: 'details', site_id: SITE, sle: 'gateway-health', score_ratio: 0.75, window_end_seconds: 10, carried_cycles: 0 });
  });
});

describe('interfaceRecords', () => {
  it('maps the spec example (switch_* fields) with the switch MAC standing in for the gateway MAC', () => {
    const body = ImpactedInterfacesSchema.parse(sleExample('SleImpactedInterfacesExample.json'));
    const { records } = interfaceRecords(LINK, body);
    expect(records).toEqual([
      { kind: 'interface', site_id: SITE, sle: 'wan-link-health', mac: '2c2131001122', port_id: 'ge-0/0/10', degraded_ratio: 11.583333 / 765.4667 },
      { kind: 'interface', site_id: SITE, sle: 'wan-link-health', mac: '2c2131001122', port_id: 'xe-0/1/0', degraded_ratio: 191.08333 / 13775.35 },
    ]);
    valid(records);
  });

  it('prefers the live gateway_mac, leaves rows without a total out, and drops rows without an interface name', () => {
    const body = ImpactedInterfacesSchema.parse({
      interfaces: [
        { interface_name: 'ge-0/0/0', gateway_mac: '020000000001', switch_mac: 'ffffffffffff', degraded: 15, total: 60 },
        { interface_name: 'ge-0/0/1', gateway_mac: '020000000001', degraded: 5 },
        { interface_name: 'ge-0/0/0', gateway_mac: '020000000001', degraded: 1, total: 60 },
        { gateway_mac: '020000000001', degraded: 1, total: 2 },
      ],
    });
    const { records, dropped } = interfaceRecords(LINK, body);
    // The repeated interface is kept: the renderer removes repeats once, for every family (exposition.ts).
    expect(records).toEqual([
      { kind: 'interface', site_id: SITE, sle: 'wan-link-health', mac: '020000000001', port_id: 'ge-0/0/0', degraded_ratio: 0.25 },
      { kind: 'interface', site_id: SITE, sle: 'wan-link-health', mac: '020000000001', port_id: 'ge-0/0/0', degraded_ratio: 1 / 60 },
    ]);
    expect(Object.keys(dropped)).toEqual([expect.stringMatching(/^interface_name: /)]);
  });

  it('resolves a WAN interface name to its port id through the gateway\'s WAN interfaces, keeps and counts what it cannot', () => {
    const ports: PortsByMac = new Map([['020000000001', [{ port_id: 'ge-0/0/1', wan_name: 'wan1', wan_type: 'broadband' }, { port_id: 'ge-0/0/2', wan_name: 'lte', wan_type: 'lte' }]]]);
    const body = ImpactedInterfacesSchema.parse({
      interfaces: [
        { interface_name: 'wan1', gateway_mac: '020000000001', degraded: 15, total: 60 },
        { interface_name: 'ge-0/0/2', gateway_mac: '020000000001', degraded: 30, total: 60 },
        { interface_name: 'wan9', gateway_mac: '020000000001', degraded: 6, total: 60 },
        { interface_name: 'wan1', gateway_mac: '02000000ffff', degraded: 3, total: 60 },
      ],
    });
    const unresolved = { ports: 0 };
    const { records } = interfaceRecords(LINK, body, ports, unresolved);
    expect(records.map((r) => (r.kind === 'interface' ? `${r.mac}/${r.port_id}` : ''))).toEqual(['020000000001/ge-0/0/1', '020000000001/ge-0/0/2', '020000000001/wan9', '02000000ffff/wan1']);
    expect(unresolved).toEqual({ ports: 2 });
    valid(records);
  });
});

describe('gatewayRecords', () => {
  it('maps the spec example (metric application_health) to the gateway\'s degraded share', () => {
    const body = ImpactedGatewaysSchema.parse(sleExample('SleImpactedGatewaysExample.json'));
    const { records, dropped } = gatewayRecords(GW, body);
    expect(dropped).toEqual({});
    expect(records).toEqual([{ kind: 'gateway', site_id: SITE, sle: 'gateway-health', mac: 'fc3342001122', degraded_ratio: 758573.1 / 2770997 }]);
    valid(records);
  });

  it('gives an impacted gateway with no measured minutes no share, and an empty answer no records', () => {
    expect(gatewayRecords(GW, ImpactedGatewaysSchema.parse({ gateways: [{ gateway_mac: '020000000001', degraded: 0, total: 0 }] })).records).toEqual([]);
    expect(gatewayRecords(GW, ImpactedGatewaysSchema.parse({ total_count: 0 })).records).toEqual([]);
  });
});

describe('thresholdRecord', () => {
  it('reads the spec\'s string threshold ("-66" dBm) and a live number, keeping Mist\'s units and direction', () => {
    expect(thresholdRecord(LINK, SleThresholdSchema.parse(sleExample('SleThresholdExample.json')))).toEqual({
      kind: 'threshold', site_id: SITE, sle: 'wan-link-health', threshold: -66, units: 'dBm', direction: 'left', age_cycles: 0,
    });
    expect(thresholdRecord(GW, SleThresholdSchema.parse({ metric: 'gateway-health', threshold: 85, units: '%', direction: 'right' })))
      .toMatchObject({ threshold: 85, units: '%', direction: 'right' });
  });

  it('keeps a threshold Mist does not give (or cannot be read) unknown: null, never 0', () => {
    expect(thresholdRecord(GW, SleThresholdSchema.parse({ threshold: '' })).threshold).toBeNull();
    expect(thresholdRecord(GW, SleThresholdSchema.parse({ threshold: 'n/a' })).threshold).toBeNull();
    expect(thresholdRecord(GW, SleThresholdSchema.parse({})).threshold).toBeNull();
    expect(thresholdRecord(GW, SleThresholdSchema.parse({ threshold: 0 })).threshold).toBe(0);
  });
});
