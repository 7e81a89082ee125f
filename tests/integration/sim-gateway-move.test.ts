import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/** POST /__sim/gateways/{mac}/move over real HTTP: every API view and /__sim/truth report the new site. */
type Row = Record<string, unknown>;
let sim: TestSim;
beforeAll(async () => { sim = await startTestSim({ sites: 40 }); }, 60_000);
afterAll(async () => { await sim?.close(); });

const api = async (path: string): Promise<Row[]> => {
  const res = await sim.get(`/api/v1/orgs/${sim.orgId}${path}`);
  expect(res.status, path).toBe(200);
  const body = res.json<Row[] | { results: Row[] }>();
  return Array.isArray(body) ? body : body.results;
};

describe('moving a gateway to another site', () => {
  it('is refused while the target site has a live gateway, and for unknown macs and sites', async () => {
    const [a, b] = sim.sim.org.sites.filter((s) => !s.isHub);
    const mac = sim.sim.org.gateways[a!.gatewayIndex]!.mac;
    expect((await sim.admin('POST', `/__sim/gateways/${mac}/move`, { site_id: b!.id })).status).toBe(400);
    expect((await sim.admin('POST', '/__sim/gateways/000000000000/move', { site_id: b!.id })).status).toBe(400);
    expect((await sim.admin('POST', `/__sim/gateways/${mac}/move`, { site_id: 'nope' })).status).toBe(400);
    expect(sim.sim.org.gateways[a!.gatewayIndex]!.siteIndex).toBe(a!.index);
  });

  it('makes the inventory, stats, searches, new events and alarms, incidents and truth report the new site', async () => {
    const spokes = sim.sim.org.sites.filter((s) => !s.isHub);
    const from = spokes.at(-1)!;
    const to = spokes.at(-2)!;
    const mac = sim.sim.org.gateways[from.gatewayIndex]!.mac;
    const retired = sim.sim.org.gateways[to.gatewayIndex]!.mac;
    expect((await sim.admin('POST', `/__sim/gateways/${retired}/decommission`)).status).toBe(200);
    const moved = await sim.admin<{ site_id: string; from_site_id: string; moved_at: number }>('POST', `/__sim/gateways/${mac}/move`, { site_id: to.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ site_id: to.id, from_site_id: from.id });
    // A flap on the moved gateway, addressed by its new site, then time for it to happen and clear.
    expect((await sim.admin('POST', '/__sim/incidents', { kind: 'flap', site_id: to.id })).status).toBe(201);
    expect((await sim.admin('POST', '/__sim/advance', { seconds: 300 })).status).toBe(200);

    const ofGateway = (rows: Row[]) => rows.filter((r) => r.mac === mac || (Array.isArray(r.gateways) && r.gateways.includes(mac)));
    const views: Record<string, Row[]> = {
      inventory: ofGateway(await api('/inventory?type=gateway&limit=1000')),
      devices: ofGateway(await api('/stats/devices?type=gateway&limit=1000')),
      ports: ofGateway(await api('/stats/ports/search?limit=1000')),
      peers: ofGateway(await api('/stats/vpn_peers/search?limit=1000')),
    };
    for (const [name, rows] of Object.entries(views)) {
      expect(rows.length, `${name} shows the moved gateway`).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.site_id)), name).toEqual(new Set([to.id]));
    }
    const events = ofGateway(await api(`/devices/events/search?device_type=gateway&start=${moved.body.moved_at}&limit=1000`));
    expect(events.length, 'the flap made events after the move').toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.site_id))).toEqual(new Set([to.id]));
    const alarms = ofGateway(await api(`/alarms/search?start=${moved.body.moved_at}&limit=1000`));
    expect(alarms.filter((a) => Number(a.timestamp) >= moved.body.moved_at && a.site_id !== to.id)).toEqual([]);
    // Nothing of the gateway is left at its old site, in the API or in the truth.
    expect(await api(`/inventory?type=gateway&site_id=${from.id}`)).toEqual([]);
    const truth = await sim.admin<{ sites: { site_id: string; gateway: { mac: string } }[] }>('GET', `/__sim/truth?site_id=${to.id},${from.id}`);
    expect(truth.body.sites.map((s) => [s.site_id, s.gateway.mac])).toEqual([[to.id, mac], [from.id, retired]]);
  }, 60_000);
});
