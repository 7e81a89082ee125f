import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { matchInventory, portKey, type MatchPort, type MatchSite } from '../../src/inventory/match.js';
import { UNKNOWN_INVENTORY_SITE } from '../../src/sim/views/inventory.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { orgGet, searchRows, truthOf } from '../support/truth.js';

/**
 * GET /__sim/inventory over real HTTP: the file parses, and matched against the org as the Mist API shows it
 * (sites, stats/devices if_stat for wan_name, ports/search for the ports) it covers every WAN port, none
 * unmatched, with the contracts /__sim/truth reports. speed 1e-9 freezes simulated time.
 */

type Row = Record<string, unknown>;
let t: TestSim;
let sites: MatchSite[];
let ports: MatchPort[];
let portRows: Row[];

beforeAll(async () => {
  t = await startTestSim({ speed: 1e-9 });
  sites = (await orgGet<Row[]>(t, 'sites?limit=1000')).map((s) => ({ site_id: String(s.id), name: String(s.name) }));
  const devices = await orgGet<Row[]>(t, 'stats/devices?type=gateway&limit=1000');
  const wanName = new Map<string, string>();
  for (const d of devices) {
    for (const stat of [d.if_stat, d.if2_stat] as (Record<string, Row> | undefined)[]) {
      for (const s of Object.values(stat ?? {})) if (s.port_usage === 'wan') wanName.set(`${String(d.mac)}|${String(s.port_id)}`, String(s.wan_name));
    }
  }
  portRows = (await searchRows<Row>(t, 'stats/ports/search?device_type=gateway&limit=1000')).filter((r) => r.port_usage === 'wan');
  ports = portRows.map((r) => ({ site_id: String(r.site_id), mac: String(r.mac), port_id: String(r.port_id), wan_name: wanName.get(`${String(r.mac)}|${String(r.port_id)}`) ?? '' }));
});
afterAll(async () => {
  await t.close();
});

async function inventoryText(query: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${t.url}/__sim/inventory${query}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('GET /__sim/inventory', () => {
  it.each(['csv', 'yaml'] as const)('format=%s parses and matches every WAN port the API shows, with the truth\'s contracts', async (format) => {
    const res = await inventoryText(`?format=${format}`);
    expect(res.status).toBe(200);
    expect(res.type).toContain(format === 'csv' ? 'text/csv' : 'application/yaml');
    const parsed = parseInventory(res.text, format, `sim.${format}`, 0);
    expect(parsed.problems).toEqual([]);
    const match = matchInventory(parsed.inventory, sites, ports);
    expect(match.unmatched).toEqual([]);
    expect(ports.length).toBe(t.sim.org.wanPorts.length);
    expect(ports.every((p) => p.wan_name !== '')).toBe(true);

    const truth = await truthOf(t, sites.map((s) => s.site_id));
    const mismatched: string[] = [];
    let belowSpeed = 0;
    for (const site of truth.sites) {
      for (const c of site.circuits) {
        const key = portKey(site.site_id, site.gateway.mac, c.port_id);
        const contract = match.byPort.get(key);
        const row = portRows.find((r) => r.site_id === site.site_id && r.port_id === c.port_id)!;
        if (!contract || contract.downBytesPerSecond !== (c.contract_down_mbps * 1e6) / 8 || contract.upBytesPerSecond !== (c.contract_up_mbps * 1e6) / 8
          || contract.provider !== c.provider || contract.circuitId !== c.circuit_id || contract.role !== c.role || Number(row.speed) !== c.speed_mbps) {
          mismatched.push(key);
        }
        if (c.contract_down_mbps < c.speed_mbps) belowSpeed++;
      }
    }
    expect(mismatched).toEqual([]);
    // The port speed Mist reports overstates the line on these circuits: what the inventory is for.
    expect(belowSpeed).toBeGreaterThan(0);
  });

  it('unknown=1 adds one entry for a site the org does not have, reported unmatched', async () => {
    const res = await inventoryText('?format=csv&unknown=1');
    const match = matchInventory(parseInventory(res.text, 'csv', 'sim.csv', 0).inventory, sites, ports);
    expect(match.unmatched.map((u) => [u.entry.site, u.reason])).toEqual([[UNKNOWN_INVENTORY_SITE, 'unknown site']]);
  });

  it('rejects an unknown format', async () => {
    const res = await inventoryText('?format=json');
    expect(res.status).toBe(400);
    expect(res.text).toContain('format must be csv or yaml');
  });
});
