import { describe, expect, it } from 'vitest';
import { circuitTerms } from '../../src/families/circuits/contract.js';
import { assignRoles, DEFAULT_CIRCUIT_ROLES, parseCircuitRoles } from '../../src/collect/circuit-roles.js';
import { deriveCircuits, type CircuitPort } from '../../src/families/circuits/collect.js';
import { circuitsFamily } from '../../src/families/circuits/index.js';
import { defaultFamilySettings, type FamilyContext, recordReader } from '../../src/collect/family.js';
import type { CircuitRecord, CircuitsRecord } from '../../src/families/circuits/records.js';
import type { SiteRecord } from '../../src/families/sites/records.js';
import type { WanPortRecord } from '../../src/families/wan-ports/records.js';
import { matchInventory } from '../../src/inventory/match.js';
import type { Inventory, InventoryEntry, InventorySource } from '../../src/inventory/types.js';
import { circuitsCatalogue } from '../../src/families/circuits/catalogue.js';
import { renderFamily } from '../../src/metrics/exposition.js';
import type { MistApi } from '../../src/mist/types.js';
import { captureLog } from '../support/redis-store.js';

/**
 * The circuit inventory applied to circuits: contracted bandwidth per direction (with the port speed where the
 * inventory says nothing), provider, circuit id and role; entries that match nothing reported.
 */
const RULES = parseCircuitRoles(DEFAULT_CIRCUIT_ROLES).rules;
const GBPS = 125_000_000; // 1 Gb/s in bytes/s
const SITE = { site_id: 'site-1', name: 'Store 0001' };
const port = (port_id: string, wan_name: string, speed: number | null = GBPS, mac = 'gw1'): CircuitPort =>
  ({ site_id: SITE.site_id, mac, port_id, wan_name, wan_type: wan_name === 'lte' ? 'lte' : 'broadband', up: true, speed_bytes_per_second: speed });
const PORTS = [port('ge-0/0/0', 'wan1'), port('ge-0/0/1', 'wan2'), port('cl-1/0/0', 'lte', null)];
const mbps = (n: number): number => (n * 1e6) / 8;
const entry = (over: Partial<InventoryEntry>): InventoryEntry => ({
  site: SITE.name, port: 'wan1', line: 2, downBytesPerSecond: null, upBytesPerSecond: null, provider: null, circuitId: null, role: null, org: null, ...over,
});
const inventory = (...entries: InventoryEntry[]): Inventory => ({ source: '/etc/mist/circuits.csv', entries, loadedAt: 1_790_000_000_500 });
const circuitsOf = (inv: Inventory | null, ports = PORTS): Map<string, CircuitRecord> => {
  const { byPort } = matchInventory(inv, [SITE], ports);
  const { records } = deriveCircuits({ orgId: 'org-1', ports, paths: [], previous: new Map(), transitions: null, rules: RULES, contracts: byPort });
  return new Map(records.filter((r): r is CircuitRecord => r.kind === 'circuit').map((r) => [r.port_id, r]));
};

describe('circuitTerms', () => {
  it('takes each direction from the inventory where given, else the port speed, and says where from', () => {
    const contract = { downBytesPerSecond: mbps(100), upBytesPerSecond: mbps(20), provider: 'Acme', circuitId: 'C-1', role: null };
    expect(circuitTerms(GBPS, contract)).toEqual({ receive: 12.5e6, transmit: 2.5e6, source: 'inventory', provider: 'Acme', circuitId: 'C-1' });
    expect(circuitTerms(GBPS, undefined)).toEqual({ receive: GBPS, transmit: GBPS, source: 'port_speed', provider: null, circuitId: null });
    expect(circuitTerms(GBPS, { ...contract, upBytesPerSecond: null })).toMatchObject({ receive: 12.5e6, transmit: GBPS, source: 'mixed' });
    expect(circuitTerms(GBPS, { ...contract, downBytesPerSecond: null, upBytesPerSecond: null })).toMatchObject({ receive: GBPS, transmit: GBPS, source: 'port_speed' });
    expect(circuitTerms(null, undefined)).toMatchObject({ receive: null, transmit: null, source: 'port_speed' });
  });
});

describe('deriveCircuits with the inventory', () => {
  it('gives an asymmetric line (100 Mb/s down, 20 Mb/s up on a 1 Gb/s port) its contract, and a port without entry its speed', () => {
    const c = circuitsOf(inventory(entry({ port: 'WAN1', downBytesPerSecond: mbps(100), upBytesPerSecond: mbps(20), provider: 'Acme Fiber', circuitId: 'CKT-1' })));
    expect(c.get('ge-0/0/0')).toMatchObject({
      receive_bandwidth_bytes_per_second: 12.5e6, transmit_bandwidth_bytes_per_second: 2.5e6, bandwidth_source: 'inventory', provider: 'Acme Fiber', circuit_id: 'CKT-1',
    });
    expect(c.get('ge-0/0/1')).toMatchObject({ receive_bandwidth_bytes_per_second: GBPS, transmit_bandwidth_bytes_per_second: GBPS, bandwidth_source: 'port_speed', provider: null, circuit_id: null });
    // No speed and no entry: unknown stays absent, never 0.
    expect(c.get('cl-1/0/0')).toMatchObject({ receive_bandwidth_bytes_per_second: null, transmit_bandwidth_bytes_per_second: null, bandwidth_source: 'port_speed' });
  });

  it('matches by site id and port id too, and a down-only line is mixed', () => {
    const c = circuitsOf(inventory(entry({ site: SITE.site_id, port: 'ge-0/0/1', downBytesPerSecond: mbps(50) })));
    expect(c.get('ge-0/0/1')).toMatchObject({ receive_bandwidth_bytes_per_second: 6.25e6, transmit_bandwidth_bytes_per_second: GBPS, bandwidth_source: 'mixed' });
  });

  it('knows site ids from the ports: entries by site id match without a sites snapshot, entries by name do not', () => {
    const inv = inventory(entry({ site: SITE.site_id, port: 'wan2', downBytesPerSecond: mbps(50), line: 2 }), entry({ port: 'wan1', line: 3 }));
    const m = matchInventory(inv, [], PORTS);
    expect([...m.byPort.keys()]).toEqual(['site-1|gw1|ge-0/0/1']);
    expect(m.unmatched.map((u) => [u.entry.line, u.reason])).toEqual([[3, 'unknown site']]);
  });

  it('with several orgs: an entry scoped to another org is neither applied nor reported; unscoped entries apply to every org', () => {
    const ORG = '0b7e3f6c-1111-4a2b-9c3d-aaaaaaaaaaaa';
    const OTHER = '0b7e3f6c-2222-4a2b-9c3d-bbbbbbbbbbbb';
    const inv = inventory(
      entry({ port: 'wan1', downBytesPerSecond: mbps(100), org: ORG, line: 2 }),
      entry({ port: 'wan2', downBytesPerSecond: mbps(10), org: OTHER, line: 3 }),
      entry({ site: 'Store of the other org', port: 'wan1', org: OTHER, line: 4 }),
      entry({ site: 'Nowhere', port: 'wan1', line: 5 }),
    );
    const m = matchInventory(inv, [SITE], PORTS, ORG.toUpperCase());
    expect([...m.byPort.keys()]).toEqual(['site-1|gw1|ge-0/0/0']);
    expect(m.unmatched.map((u) => u.entry.line)).toEqual([5]);
    expect(m.applicable).toBe(2);
    // Without an org id (a caller that has none) every entry applies, as before the column existed.
    expect(matchInventory(inv, [SITE], PORTS).applicable).toBe(4);
  });

  it('lets the inventory\'s role override CIRCUIT_ROLES without making a second primary', () => {
    const roles = (inv: Inventory | null) => Object.fromEntries([...circuitsOf(inv)].map(([id, r]) => [id, r.role]));
    expect(roles(null)).toEqual({ 'ge-0/0/0': 'primary', 'ge-0/0/1': 'secondary', 'cl-1/0/0': 'tertiary' });
    // wan2 pinned primary: the primary rule is used up, so wan1 is no second primary. The secondary rule
    // (wan2|mpls|lte) cannot take the pinned wan2 and falls through to lte, as its chain says; wan1, taken by no
    // rule, is secondary by the positional default (the gateway has a primary).
    expect(roles(inventory(entry({ port: 'wan2', role: 'primary' })))).toEqual({ 'ge-0/0/0': 'secondary', 'ge-0/0/1': 'primary', 'cl-1/0/0': 'secondary' });
    // wan1 pinned secondary: the secondary rule is used up; nothing else names a primary, so wan2 becomes it positionally.
    expect(roles(inventory(entry({ port: 'wan1', role: 'secondary' })))).toEqual({ 'ge-0/0/0': 'secondary', 'ge-0/0/1': 'primary', 'cl-1/0/0': 'tertiary' });
  });

  it('assignRoles without pins is what it was', () => {
    const ports = PORTS.map(({ port_id, wan_name, wan_type }) => ({ port_id, wan_name, wan_type }));
    expect(assignRoles(ports, RULES)).toEqual(assignRoles(ports, RULES, new Map()));
  });
});

describe('circuitsFamily.run with an inventory', () => {
  const noApi: MistApi = {
    pages: () => { throw new Error('circuits must not call Mist'); },
    getOne: () => Promise.reject(new Error('circuits must not call Mist')),
    count: () => Promise.reject(new Error('circuits must not call Mist')),
  };
  const wanPort = (p: CircuitPort): WanPortRecord => ({
    ...p, disabled: false, rx_bytes: null, tx_bytes: null, rx_packets: null, tx_packets: null, last_flapped_seconds: null, jitter_seconds: null, latency_seconds: null, loss_ratio: null,
  });
  const site: SiteRecord = { ...SITE, region: 'West', sitegroups: [], country_code: null, timezone: null, address: null, latitude: null, longitude: null };
  const run = async (orgId: string, inv: Inventory | null, log = captureLog('warn'), source: InventorySource = () => inv): Promise<{ records: CircuitsRecord[]; lines: string[] }> => {
    const snapshots: Record<string, readonly unknown[]> = { 'wan-ports': PORTS.map(wanPort), sites: [site] };
    const ctx: FamilyContext = {
      orgId, api: noApi, signal: new AbortController().signal, log: log.log, settings: defaultFamilySettings({ circuitRoles: RULES, inventory: source }),
      callBudget: Infinity, readRecords: recordReader((family) => snapshots[family] ?? null), readState: () => Promise.resolve(null),
    };
    const records: CircuitsRecord[] = [];
    for await (const page of circuitsFamily.run(ctx, null)) records.push(...page.records);
    return { records, lines: log.lines };
  };
  const INV = inventory(
    entry({ port: 'wan1', downBytesPerSecond: mbps(100), upBytesPerSecond: mbps(20) }),
    entry({ site: 'Store 9999', port: 'wan1', line: 3 }),
    entry({ port: 'wan7', line: 4 }),
  );

  it('renders the contract per direction, the source in mist_wan_port_info, and every unmatched entry', async () => {
    const { records } = await run('org-render', INV);
    expect(records.filter((r) => r.kind === 'inventory')).toEqual([{ kind: 'inventory', entries: 3, loaded_seconds: 1_790_000_000 }]);
    expect(records.filter((r) => r.kind === 'unmatched')).toEqual([
      { kind: 'unmatched', site: 'Store 9999', port: 'wan1', line: 3, reason: 'unknown site' },
      { kind: 'unmatched', site: 'Store 0001', port: 'wan7', line: 4, reason: 'unknown port' },
    ]);
    const { text, invalid } = await renderFamily(circuitsCatalogue, [{ orgId: 'org-render', records }]);
    expect(invalid).toBe(0);
    const id = 'org_id="org-render",site_id="site-1",mac="gw1",port_id="ge-0/0/0"';
    expect(text).toContain(`mist_wan_port_receive_bandwidth_bytes_per_second{${id}} 12500000\n`);
    expect(text).toContain(`mist_wan_port_transmit_bandwidth_bytes_per_second{${id}} 2500000\n`);
    expect(text).toContain(`mist_wan_port_receive_bandwidth_bytes_per_second{org_id="org-render",site_id="site-1",mac="gw1",port_id="ge-0/0/1"} 125000000\n`);
    expect(text).toMatch(/mist_wan_port_info\{org_id="org-render",site_id="site-1",mac="gw1",port_id="ge-0\/0\/0",wan_name="wan1",.*bandwidth_source="inventory"\} 1/);
    expect(text).toMatch(/mist_wan_port_info\{org_id="org-render",site_id="site-1",mac="gw1",port_id="ge-0\/0\/1",wan_name="wan2",.*bandwidth_source="port_speed"\} 1/);
    expect(text).toContain('mist_wan_inventory_entries{org_id="org-render"} 3\n');
    expect(text).toContain('mist_wan_inventory_unmatched_entry{org_id="org-render",site="Store 9999",port="wan1",line="3",reason="unknown site"} 1\n');
    expect(text).toContain('mist_wan_inventory_unmatched_entry{org_id="org-render",site="Store 0001",port="wan7",line="4",reason="unknown port"} 1\n');
  });

  it('renders the file loader\'s health: last read accepted or not, rejected reads, problems of the last rejected read', async () => {
    const status = { file: '/etc/mist/circuits.csv', ok: false, entries: 3, loadedAt: 1_790_000_000_500, checkedAt: 1_790_000_060_000, loads: 2, failures: 1, problems: ['line 2: a', 'line 3: b'] };
    const source = Object.assign(() => INV, { status: () => status });
    const { records } = await run('org-health', null, captureLog('warn'), source);
    expect(records.filter((r) => r.kind === 'inventory')).toEqual([{ kind: 'inventory', entries: 3, loaded_seconds: 1_790_000_000, load_ok: false, load_failures: 1, load_problems: 2 }]);
    const { text } = await renderFamily(circuitsCatalogue, [{ orgId: 'org-health', records }]);
    expect(text).toContain('mist_wan_inventory_load_success{org_id="org-health"} 0\n');
    expect(text).toContain('mist_wan_inventory_load_failures{org_id="org-health"} 1\n');
    expect(text).toContain('mist_wan_inventory_load_problems{org_id="org-health"} 2\n');
    // A source without a loader (no status): no health series, the rest as before.
    const plain = await renderFamily(circuitsCatalogue, [{ orgId: 'org-health', records: (await run('org-health', INV)).records }]);
    expect(plain.text).not.toContain('mist_wan_inventory_load_success{');
    expect(plain.text).toContain('mist_wan_inventory_entries{org_id="org-health"} 3\n');
  });

  it('warns once per distinct set of unmatched entries, not every cycle', async () => {
    const log = captureLog('warn');
    const warnings = () => log.lines.filter((l) => l.includes('match no WAN port')).length;
    await run('org-warn', INV, log);
    await run('org-warn', INV, log);
    expect(warnings()).toBe(1);
    expect(log.lines.find((l) => l.includes('match no WAN port'))).toMatch(/"unmatched":2.*line 3: Store 9999 \/ wan1 \(unknown site\)/);
    await run('org-warn', inventory(...INV.entries.slice(0, 2)), log);
    expect(warnings()).toBe(2);
    // All fixed: nothing to warn about; a later regression warns again.
    await run('org-warn', inventory(INV.entries[0]!), log);
    expect(warnings()).toBe(2);
    await run('org-warn', INV, log);
    expect(warnings()).toBe(3);
  });

  it('without an inventory: speeds, CIRCUIT_ROLES, no inventory series', async () => {
    const { records } = await run('org-none', null);
    expect(records.filter((r) => r.kind === 'inventory' || r.kind === 'unmatched')).toEqual([]);
    expect(records.filter((r): r is CircuitRecord => r.kind === 'circuit').map((r) => r.bandwidth_source)).toEqual(['port_speed', 'port_speed', 'port_speed']);
  });
});
