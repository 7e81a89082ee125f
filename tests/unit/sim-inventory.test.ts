import { beforeAll, describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { matchInventory, portKey } from '../../src/inventory/match.js';
import { SimEngine } from '../../src/sim/engine/engine.js';
import { buildOrg } from '../../src/sim/model/org.js';
import type { SimOrg } from '../../src/sim/model/types.js';
import { simInventory, UNKNOWN_INVENTORY_SITE } from '../../src/sim/views/inventory.js';
import { TEST_START } from '../support/sim-server.js';

/** The simulator's circuit contracts: below the port speed on some lines, bounding traffic, and its inventory file. */

const SEED = 'mist-wan';
let org: SimOrg;
beforeAll(() => {
  org = buildOrg(SEED, 400);
});

const sites = (o: SimOrg) => o.sites.map((s) => ({ site_id: s.id, name: s.name }));
const ports = (o: SimOrg) => o.wanPorts.map((p) => ({ site_id: o.sites[p.siteIndex]!.id, mac: o.gateways[p.gatewayIndex]!.mac, port_id: p.portId, wan_name: p.wanName }));

describe('simulated circuit contracts', () => {
  it('some contracts are below the port speed: asymmetric cable (100/20, 200/40) and symmetric sub-rate lines on 1 Gb/s ports', () => {
    const spokes = org.wanPorts.filter((p) => !org.sites[p.siteIndex]!.isHub);
    const asymmetric = spokes.filter((p) => p.upMbps < p.speedMbps);
    const symmetricSubRate = spokes.filter((p) => p.upMbps === p.speedMbps && p.speedMbps < p.linkSpeedMbps);
    expect(asymmetric.length).toBeGreaterThan(spokes.length * 0.05);
    expect(symmetricSubRate.length).toBeGreaterThan(spokes.length * 0.05);
    expect(new Set(asymmetric.map((p) => `${p.speedMbps}/${p.upMbps}@${p.linkSpeedMbps}`))).toEqual(new Set(['100/20@1000', '200/40@1000']));
    // No contract is above its port, and the hubs' lines are as fast as their ports.
    expect(org.wanPorts.filter((p) => p.speedMbps > p.linkSpeedMbps || p.upMbps > p.speedMbps)).toEqual([]);
    expect(org.wanPorts.filter((p) => org.sites[p.siteIndex]!.isHub && p.speedMbps !== p.linkSpeedMbps)).toEqual([]);
  });

  it('same seed, same contracts (and circuit ids)', () => {
    const again = buildOrg(SEED, 400);
    const contract = (o: SimOrg) => o.wanPorts.map((p) => [p.speedMbps, p.upMbps, p.linkSpeedMbps, p.circuitId, p.isp]);
    expect(contract(again)).toEqual(contract(org));
    expect(new Set(org.wanPorts.map((p) => p.circuitId)).size).toBe(org.wanPorts.length);
  });

  it('traffic stays within the contract in both directions, and the upstream contract binds on asymmetric lines', () => {
    const e = new SimEngine(buildOrg(SEED, 150), { seed: SEED, historyMinutes: 60, start: TEST_START - 600 });
    const s = e.ctx.state;
    const over: string[] = [];
    let upstreamAtContract = 0;
    // Six hours of a US business day, minute by minute.
    for (let t = TEST_START; t <= TEST_START + 6 * 3600; t += 60) {
      e.advanceTo(t);
      for (const p of e.org.wanPorts) {
        if (s.rxBps[p.index]! > p.speedMbps * 1e6 + 1e-6) over.push(`${p.index} rx ${s.rxBps[p.index]} > ${p.speedMbps} Mb/s at ${t}`);
        if (s.txBps[p.index]! > p.upMbps * 1e6 + 1e-6) over.push(`${p.index} tx ${s.txBps[p.index]} > ${p.upMbps} Mb/s at ${t}`);
        if (p.upMbps < p.speedMbps && s.txBps[p.index]! >= 0.99 * p.upMbps * 1e6) upstreamAtContract++;
      }
    }
    expect(over).toEqual([]);
    expect(upstreamAtContract).toBeGreaterThan(0);
  });
});

describe('the simulated inventory file', () => {
  it.each(['csv', 'yaml'] as const)('%s round-trips through the inventory parser and matches every circuit, with every key form', (format) => {
    const parsed = parseInventory(simInventory(org, { format }), format, `sim.${format}`, 0);
    expect(parsed.problems).toEqual([]);
    const entries = parsed.inventory!.entries;
    expect(entries).toHaveLength(org.wanPorts.length);
    const siteIds = new Set(org.sites.map((s) => s.id));
    const portIds = new Set(org.wanPorts.map((p) => p.portId));
    // Some entries by site id, some by name; some by port_id, some by wan_name.
    expect(new Set(entries.map((e) => `${siteIds.has(e.site) ? 'id' : 'name'}+${portIds.has(e.port) ? 'port_id' : 'wan_name'}`)))
      .toEqual(new Set(['id+port_id', 'id+wan_name', 'name+port_id', 'name+wan_name']));
    expect(entries.some((e) => e.downBytesPerSecond !== e.upBytesPerSecond)).toBe(true);

    const match = matchInventory(parsed.inventory, sites(org), ports(org));
    expect(match.unmatched).toEqual([]);
    expect(match.byPort.size).toBe(org.wanPorts.length);
    const wrong = org.wanPorts.filter((p) => {
      const c = match.byPort.get(portKey(org.sites[p.siteIndex]!.id, org.gateways[p.gatewayIndex]!.mac, p.portId));
      return !c || c.downBytesPerSecond !== (p.speedMbps * 1e6) / 8 || c.upBytesPerSecond !== (p.upMbps * 1e6) / 8
        || c.provider !== p.isp || c.circuitId !== p.circuitId || c.role !== p.role;
    });
    expect(wrong).toEqual([]);
  });

  it('with `unknown`, one entry names a site the org does not have, and it is reported unmatched', () => {
    const parsed = parseInventory(simInventory(org, { format: 'csv', unknown: true }), 'csv', 'sim.csv', 0);
    const match = matchInventory(parsed.inventory, sites(org), ports(org));
    expect(match.unmatched.map((u) => [u.entry.site, u.reason])).toEqual([[UNKNOWN_INVENTORY_SITE, 'unknown site']]);
    expect(match.byPort.size).toBe(org.wanPorts.length);
  });
});
