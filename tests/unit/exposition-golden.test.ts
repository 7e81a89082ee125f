import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { renderFamily, type OrgRecords } from '../../src/metrics/exposition.js';
import {
  SPEC_ORG_ID, specCircuitRecords, specGatewayOrgRecords, specOrgRecords, specSiteRecords, specVpnPeerRecords, specWanPortRecords,
} from '../fixtures/records/openapi.js';
import { specAlarmsOrgRecords, specEventsOrgRecords } from '../fixtures/records/openapi-activity.js';
import { specSleDetailsOrgRecords, specSleOrgRecords } from '../fixtures/records/openapi-sle.js';

/**
 * Golden exposition per family: spec-example records (through the collector's mapping functions) plus
 * hand-written records (tests/fixtures/records/<family>.json: nulls, multi-org, nasty strings, an invalid
 * record) → renderFamily → byte-for-byte equal to tests/golden/<family>.prom.
 * After an intended change: UPDATE_GOLDEN=1 vitest run tests/unit/exposition-golden.test.ts, review the diff, commit.
 */
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const FIXTURES = new URL('../fixtures/records/', import.meta.url);
const GOLDEN = new URL('../golden/', import.meta.url);

interface HandWritten {
  readonly description: string;
  readonly invalid: number;
  readonly orgs: OrgRecords[];
  /** Store counter groups (group → encoded labels → total) for families whose catalogue has `counters`. */
  readonly counters?: Record<string, Record<string, number>>;
}

const SPEC: Record<string, () => OrgRecords[]> = {
  org: specOrgRecords, sites: specSiteRecords, gateways: specGatewayOrgRecords, 'wan-ports': specWanPortRecords,
  'vpn-peers': specVpnPeerRecords, circuits: specCircuitRecords,
  sle: specSleOrgRecords, 'sle-details': specSleDetailsOrgRecords,
  alarms: specAlarmsOrgRecords, events: specEventsOrgRecords,
};

describe.each(Object.keys(SPEC))('golden exposition of family %s', (family) => {
  const catalogue = FAMILY_CATALOGUES.find((c) => c.family === family)!;
  const hand = JSON.parse(readFileSync(new URL(`${family}.json`, FIXTURES), 'utf8')) as HandWritten;
  const input = [...SPEC[family]!(), ...hand.orgs];
  const goldenFile = new URL(`${family}.prom`, GOLDEN);

  it('renders byte-for-byte what tests/golden holds', async () => {
    const { text } = await renderFamily(catalogue, input, hand.counters);
    if (UPDATE) writeFileSync(goldenFile, text);
    expect(existsSync(goldenFile), `tests/golden/${family}.prom is missing: run UPDATE_GOLDEN=1 vitest run ${import.meta.filename}`).toBe(true);
    expect(text).toBe(readFileSync(goldenFile, 'utf8'));
  });

  it('skips and counts exactly the fixture\'s invalid records, and renders the spec-derived ones', async () => {
    const { text, series, invalid } = await renderFamily(catalogue, input, hand.counters);
    expect(invalid).toBe(hand.invalid);
    expect(text).toContain(`org_id="${SPEC_ORG_ID}"`);
    expect(series).toBe(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length);
  });

  it('exercises every metric of the family at least once', async () => {
    const { text } = await renderFamily(catalogue, input, hand.counters);
    const names = [...catalogue.groups.flatMap((g) => g.metrics.map((m) => m.name)), ...(catalogue.counters ?? []).map((c) => c.name)];
    expect(names.filter((n) => !text.includes(`\n${n}{`) && !text.startsWith(`${n}{`))).toEqual([]);
  });

  it('is accepted by promtool check metrics with zero findings', () => {
    const golden = readFileSync(goldenFile);
    const res = spawnSync('promtool', ['check', 'metrics'], { input: golden, encoding: 'utf8' });
    expect(res.error, 'promtool missing: run scripts/ensure-test-services.sh').toBeUndefined();
    expect({ status: res.status, out: res.stdout + res.stderr }).toEqual({ status: 0, out: '' });
  });
});
