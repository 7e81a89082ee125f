import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import type { VpnPathRecord } from '../../src/families/vpn-peers/records.js';
import { vpnPeersCatalogue } from '../../src/families/vpn-peers/catalogue.js';
import type { OrgRecords } from '../../src/metrics/exposition.js';
import { dropRepeats, FirstOfIdentity, identityGroup, selectedGroups, seriesIdentity } from '../../src/metrics/identity.js';
import type { FamilyCatalogue, SeriesGroup } from '../../src/metrics/types.js';
import {
  specCircuitRecords, specGatewayOrgRecords, specOrgRecords, specSiteRecords, specVpnPeerRecords, specWanPortRecords,
} from '../fixtures/records/openapi.js';
import { specAlarmsOrgRecords, specEventsOrgRecords } from '../fixtures/records/openapi-activity.js';
import { specSleDetailsOrgRecords, specSleOrgRecords } from '../fixtures/records/openapi-sle.js';

type Row = Record<string, unknown> & { org_id: string };
const SPEC: Record<string, () => OrgRecords[]> = {
  org: specOrgRecords, sites: specSiteRecords, gateways: specGatewayOrgRecords, 'wan-ports': specWanPortRecords,
  'vpn-peers': specVpnPeerRecords, circuits: specCircuitRecords,
  sle: specSleOrgRecords, 'sle-details': specSleDetailsOrgRecords,
  alarms: specAlarmsOrgRecords, events: specEventsOrgRecords,
};
/** Every valid record the golden tests render for a family: the spec examples and the hand-written fixtures. */
function rowsOf(catalogue: FamilyCatalogue<never>): Row[] {
  const hand = JSON.parse(readFileSync(new URL(`../fixtures/records/${catalogue.family}.json`, import.meta.url), 'utf8')) as { orgs: OrgRecords[] };
  return [...SPEC[catalogue.family]!(), ...hand.orgs].flatMap((org) => org.records.flatMap((r) => {
    const parsed = (catalogue.schema as unknown as { safeParse(v: unknown): { success: boolean; data?: object } }).safeParse(r);
    return parsed.success ? [{ ...parsed.data, org_id: org.orgId } as Row] : [];
  }));
}

describe('series identity: the identity group (fewest labels) is carried by every group rendering the record', () => {
  it('covers every registered family', () => {
    expect(Object.keys(SPEC).sort()).toEqual(FAMILY_CATALOGUES.map((c) => c.family).sort());
  });

  describe.each(FAMILY_CATALOGUES.map((c) => [c.family, c] as const))('%s', (_family, catalogue) => {
    const groups = catalogue.groups as readonly SeriesGroup<Row>[];

    it('statically: among groups rendering the same records, the fewest labels are in every other group\'s labels', () => {
      // Groups with the same `select` (or none, rendering every record) render the same records.
      for (const select of new Set(groups.map((g) => g.select))) {
        const together = groups.map((g, i) => [g, i] as const).filter(([g]) => g.select === select || g.select === undefined).map(([, i]) => i);
        const id = groups[identityGroup(groups, together)]!;
        for (const g of together) expect(groups[g]!.labels, `group ${g}`).toEqual(expect.arrayContaining([...id.labels]));
      }
    });

    it('on real records: every rendering group repeats the identity group\'s label values', () => {
      const rows = rowsOf(catalogue);
      expect(rows.length).toBeGreaterThan(0);
      let identified = 0;
      for (const row of rows) {
        const selected = selectedGroups(groups, row);
        if (selected.length === 0) continue;
        identified += 1;
        const id = groups[identityGroup(groups, selected)]!;
        const idValues = id.labelValues(row);
        for (const g of selected) {
          const values = groups[g]!.labelValues(row);
          expect(id.labels.map((l) => values[groups[g]!.labels.indexOf(l)])).toEqual([...idValues]);
        }
      }
      expect(identified).toBeGreaterThan(0);
    });
  });
});

const path = (over: Partial<VpnPathRecord> = {}): VpnPathRecord => ({
  site_id: 's1', mac: 'gw1', port_id: 'ge-0/0/1', wan_name: 'wan', peer_mac: 'gw2', peer_port_id: 'ge-0/0/2', peer_wan_name: 'wan',
  path_type: 'ipsec', peer_site_id: 's2', router_name: 'r1', peer_router_name: 'r2', up: true, is_active: true,
  loss_ratio: null, latency_seconds: null, jitter_seconds: null, mos: null, mtu_bytes: null, up_since_seconds: null, ...over,
});

describe('the rule: first of an identity wins, repeats are dropped and counted', () => {
  it('a VPN path\'s identity ignores its descriptive labels and includes the org', () => {
    const key = seriesIdentity(vpnPeersCatalogue, { ...path(), org_id: 'o1' });
    expect(seriesIdentity(vpnPeersCatalogue, { ...path({ wan_name: 'other', router_name: 'x', up: false }), org_id: 'o1' })).toBe(key);
    expect(seriesIdentity(vpnPeersCatalogue, { ...path(), org_id: 'o2' })).not.toBe(key);
    expect(seriesIdentity(vpnPeersCatalogue, { ...path({ port_id: 'ge-0/0/3' }), org_id: 'o1' })).not.toBe(key);
    expect(seriesIdentity(vpnPeersCatalogue, { ...path({ path_type: 'svr' }), org_id: 'o1' })).not.toBe(key);
  });

  it('no label value can make two identities one (values are encoded, not joined)', () => {
    const a = seriesIdentity(vpnPeersCatalogue, { ...path({ mac: 'a|b', port_id: 'c' }), org_id: 'o' });
    expect(seriesIdentity(vpnPeersCatalogue, { ...path({ mac: 'a', port_id: 'b|c' }), org_id: 'o' })).not.toBe(a);
  });

  it('dropRepeats keeps the first record of each identity, raw and in order, and counts the rest', () => {
    const first = path({ is_active: true });
    const repeat = path({ is_active: false, wan_name: 'renamed' });
    const other = path({ port_id: 'ge-0/0/3' });
    const { records, repeats } = dropRepeats(vpnPeersCatalogue, 'o1', [first, repeat, other, first]);
    expect(records).toEqual([first, other]);
    expect(records[0]).toBe(first);
    expect(repeats).toBe(2);
  });

  it('passes on what the catalogue cannot identify (failing its schema) for the reader\'s own validation', () => {
    const { records, repeats } = dropRepeats(vpnPeersCatalogue, 'o1', ['junk', 'junk', { mac: 'gw1' }]);
    expect(records).toEqual(['junk', 'junk', { mac: 'gw1' }]);
    expect(repeats).toBe(0);
  });

  it('FirstOfIdentity admits a key once', () => {
    const f = new FirstOfIdentity();
    expect([f.admit('a'), f.admit('b'), f.admit('a'), f.admit('a')]).toEqual([true, true, false, false]);
    expect(f.repeats).toBe(2);
  });
});
