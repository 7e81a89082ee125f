import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimGateway, SimSite } from '../../src/sim/model/types.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { advance, force, orgGet, searchRows, siteTruthOf, type TruthCircuit } from '../support/truth.js';

/** Forced incidents over real HTTP: each test takes its own calm site; simulated time only moves through /__sim/advance. */

type Row = Record<string, unknown>;
let t: TestSim;
const used = new Set<number>();

beforeAll(async () => {
  t = await startTestSim({ speed: 1e-9 });
});
afterAll(async () => {
  await t.close();
});

/** A spoke whose circuits behave (no flappy, congested or lossy traits) and that runs on its primary now. */
function calmSite(want: (gw: SimGateway) => boolean = () => true): { site: SimSite; gw: SimGateway } {
  const { org, engine } = t.sim;
  const s = engine.ctx.state;
  const gw = org.gateways.find((g) => {
    const ports = g.wanPortIndexes.map((p) => org.wanPorts[p]!);
    return !used.has(g.index) && !org.sites[g.siteIndex]!.isHub && s.connected[g.index] === 1 && s.activePort[g.index] === g.wanPortIndexes[0] &&
      ports.every((p) => !p.traits.flappy && !p.traits.congested && p.traits.baseLossPct < 1 && s.up[p.index] === 1) && want(g);
  });
  if (!gw) throw new Error('no calm site left in the test org');
  used.add(gw.index);
  return { site: org.sites[gw.siteIndex]!, gw };
}

const events = (siteId: string, from: number, to: number): Promise<Row[]> =>
  searchRows(t, `devices/events/search?device_type=gateway&site_id=${siteId}&start=${Math.floor(from) - 1}&end=${Math.ceil(to) + 1}&limit=1000`);
const alarms = (siteId: string, type: string): Promise<Row[]> => searchRows(t, `alarms/search?site_id=${siteId}&type=${type}&limit=1000`);
const peers = (siteId: string): Promise<Row[]> => searchRows(t, `stats/vpn_peers/search?site_id=${siteId}&limit=1000`);
const wanRows = async (mac: string): Promise<Row[]> =>
  (await searchRows(t, `stats/ports/search?device_type=gateway&mac=${mac}&limit=1000`)).filter((r) => r.port_usage === 'wan');
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('forced incidents (POST /__sim/incidents)', () => {
  it('a flap toggles only that port: +2 transitions, one GW_PORT_DOWN and one GW_PORT_UP, last_flapped moves', async () => {
    const { site, gw } = calmSite((g) => g.wanPortIndexes.length === 3);
    const before = await siteTruthOf(t, site.id);
    const target = before.circuits[1]!;
    const inc = await force(t, { kind: 'flap', site_id: site.id, port_id: target.port_id, duration_seconds: 90 });
    expect([inc.port_id, inc.end - inc.start]).toEqual([target.port_id, 90]);
    expect((await siteTruthOf(t, site.id)).circuits.map((c) => c.up)).toEqual([true, false, true]);

    const now = await advance(t, 150);
    const after = await siteTruthOf(t, site.id);
    expect(after.circuits.map((c) => c.transitions)).toEqual(before.circuits.map((c) => c.transitions + (c.port_id === target.port_id ? 2 : 0)));
    expect(after.circuits.map((c) => c.up)).toEqual([true, true, true]);
    expect(after.circuits[1]!.last_flapped).toBe(inc.end);
    expect(after.circuits.filter((c) => c.port_id !== target.port_id).map((c) => c.last_flapped))
      .toEqual(before.circuits.filter((c) => c.port_id !== target.port_id).map((c) => c.last_flapped));

    const portEvents = (await events(site.id, inc.start, now)).filter((e) => String(e.type).startsWith('GW_PORT_'));
    expect(portEvents.map((e) => [e.type, e.port_id, e.mac])).toEqual([['GW_PORT_DOWN', target.port_id, gw.mac], ['GW_PORT_UP', target.port_id, gw.mac]]);
    expect(portEvents.map((e) => e.timestamp)).toEqual([inc.start, inc.end]);
    const row = (await wanRows(gw.mac)).find((r) => r.port_id === target.port_id)!;
    expect(row.last_flapped).toBe(Math.floor(inc.end));
    expect(row.up).toBe(true);
  });

  it.each(['srx', 'ssr'] as const)('a failover on %s counts once, moves the active circuit and VPN paths to the secondary, then back', async (platform) => {
    const { site } = calmSite((g) => g.platform === platform);
    const before = await siteTruthOf(t, site.id);
    const [primary, secondary] = before.circuits as [TruthCircuit, TruthCircuit];
    // vpn_peers rows name svr (SSR) ports by WAN name, ipsec (SRX) ports by port_id.
    const key = (c: TruthCircuit): string => (platform === 'ssr' ? c.wan_name : c.port_id);
    const activeFrom = async (): Promise<string[]> => [...new Set((await peers(site.id)).filter((r) => r.is_active === true).map((r) => String(r.port_id)))];
    expect(before.gateway.active_port).toBe(primary.port_id);
    expect(await activeFrom()).toEqual([key(primary)]);

    const inc = await force(t, { kind: 'failover', site_id: site.id, duration_seconds: 600 });
    expect(inc.port_id).toBe(primary.port_id);
    const during = await siteTruthOf(t, site.id);
    expect(during.gateway.failovers).toBe(before.gateway.failovers + 1);
    expect(during.gateway.active_port).toBe(secondary.port_id);
    expect(during.circuits[1]!.active).toBe(true);
    expect(await activeFrom()).toEqual([key(secondary)]);
    const rows = await peers(site.id);
    expect(rows.filter((r) => r.port_id === key(primary)).every((r) => r.up === false && r.is_active === false)).toBe(true);
    expect(rows.filter((r) => r.port_id === key(secondary)).every((r) => r.up === true)).toBe(true);

    await advance(t, 300);
    expect((await siteTruthOf(t, site.id)).gateway.active_port).toBe(secondary.port_id);
    await advance(t, 360);
    const after = await siteTruthOf(t, site.id);
    expect(after.gateway.active_port).toBe(primary.port_id);
    expect(after.gateway.failovers).toBe(before.gateway.failovers + 1);
    expect(await activeFrom()).toEqual([key(primary)]);
  });

  it('an outage downs every circuit and VPN path, disconnects the gateway, raises gateway_down after 2 minutes and resolves it', async () => {
    const { site, gw } = calmSite();
    const before = await siteTruthOf(t, site.id);
    const paths = before.circuits.reduce((n, c) => n + c.paths_total, 0);
    expect(paths).toBeGreaterThan(0);
    expect(await alarms(site.id, 'gateway_down')).toEqual([]);

    const inc = await force(t, { kind: 'outage', site_id: site.id, duration_seconds: 600 });
    expect(inc.port_id).toBeNull();
    const during = await siteTruthOf(t, site.id);
    expect([during.outage, during.gateway.connected, during.gateway.active_port]).toEqual([true, false, null]);
    expect(during.circuits.map((c) => [c.up, c.paths_up])).toEqual(before.circuits.map(() => [false, 0]));
    const [device] = await orgGet<Row[]>(t, `stats/devices?type=gateway&mac=${gw.mac}`);
    expect([device!.status, device!.uptime]).toEqual(['disconnected', 0]);
    expect((await wanRows(gw.mac)).map((r) => r.up)).toEqual(before.circuits.map(() => false));
    expect((await peers(site.id)).map((r) => [r.up, r.is_active])).toEqual(Array.from({ length: paths }, () => [false, false]));
    const types = (await events(site.id, inc.start, inc.start + 1)).map((e) => String(e.type));
    expect(types.filter((x) => x === 'GW_VPN_PATH_DOWN')).toHaveLength(paths);
    expect(types.filter((x) => x === 'GW_DISCONNECTED')).toHaveLength(1);

    await advance(t, 60);
    expect(await alarms(site.id, 'gateway_down')).toEqual([]);
    await advance(t, 120);
    const [open, ...more] = await alarms(site.id, 'gateway_down');
    expect(more).toEqual([]);
    expect(open!.status).toBe('open');
    expect(open!.timestamp).toBeGreaterThanOrEqual(Math.floor(inc.start) + 120);
    expect(open!.timestamp).toBeLessThanOrEqual(inc.start + 180);

    await advance(t, inc.end + 120 - (await advance(t, 1)));
    const [resolved] = await alarms(site.id, 'gateway_down');
    expect(resolved!.status).toBe('resolved');
    expect(resolved!.resolved_time).toBeGreaterThanOrEqual(inc.end);
    const [back] = await orgGet<Row[]>(t, `stats/devices?type=gateway&mac=${gw.mac}`);
    expect(back!.status).toBe('connected');
    const after = await siteTruthOf(t, site.id);
    expect(after.circuits.map((c) => [c.up, c.paths_up])).toEqual(before.circuits.map((c) => [true, c.paths_total]));
  });

  it('congestion drives the port to line rate, raises loss and latency on it and its paths, and raises bad_wan_uplink after 10 minutes', async () => {
    // No LTE circuit: its random signal dips would also count as bad minutes.
    const { site, gw } = calmSite((g) => g.wanPortIndexes.every((p) => t.sim.org.wanPorts[p]!.kind !== 'lte'));
    const before = (await siteTruthOf(t, site.id)).circuits[0]!;
    expect(before.utilization).toBeLessThan(0.9);
    const inc = await force(t, { kind: 'congestion', site_id: site.id, duration_seconds: 900 });
    expect(inc.port_id).toBe(before.port_id);

    const during = (await siteTruthOf(t, site.id)).circuits[0]!;
    expect(during.utilization).toBeGreaterThan(0.99);
    expect(during.demand_ratio).toBeGreaterThanOrEqual(1.12);
    expect(during.loss_pct).toBeGreaterThan(before.loss_pct + 1.5);
    expect(during.latency_ms).toBeGreaterThan(before.latency_ms + 30);
    expect(mean(during.paths!.map((p) => p.loss_pct))).toBeGreaterThan(mean(before.paths!.map((p) => p.loss_pct)) + 1.5);
    expect(mean(during.paths!.map((p) => p.latency_ms))).toBeGreaterThan(mean(before.paths!.map((p) => p.latency_ms)) + 30);
    const row = (await wanRows(gw.mac)).find((r) => r.port_id === before.port_id)!;
    expect(Math.abs(Number(row.loss) - during.loss_pct)).toBeLessThan(0.001);
    expect(Number(row.rx_bps)).toBeGreaterThan(0.99 * before.contract_down_mbps * 1e6);

    await advance(t, 300);
    expect((await alarms(site.id, 'bad_wan_uplink')).filter((a) => a.status === 'open')).toEqual([]);
    await advance(t, 360);
    const open = (await alarms(site.id, 'bad_wan_uplink')).filter((a) => a.status === 'open');
    expect(open).toHaveLength(1);
    expect(open[0]!.timestamp).toBeGreaterThan(inc.start);

    await advance(t, inc.end + 660 - (await advance(t, 1)));
    expect((await siteTruthOf(t, site.id)).circuits[0]!.utilization).toBeLessThan(0.9);
    expect((await alarms(site.id, 'bad_wan_uplink')).map((a) => a.status)).toEqual(['resolved']);
  });

  it('a reboot (kind=reboot) disconnects the gateway for 180 s, zeroes its counters and restarts uptime', async () => {
    const { site, gw } = calmSite();
    const refused = await t.admin('POST', '/__sim/incidents', { kind: 'reboot', site_id: site.id, port_id: 'ge-0/0/0' });
    expect(refused.status).toBe(400);
    expect((await wanRows(gw.mac)).every((r) => Number(r.rx_bytes) > 0)).toBe(true);

    const inc = await force(t, { kind: 'reboot', site_id: site.id });
    expect([inc.port_id, inc.end - inc.start]).toEqual([null, 180]);
    const [down] = await orgGet<Row[]>(t, `stats/devices?type=gateway&mac=${gw.mac}`);
    expect(down!.status).toBe('disconnected');
    expect((await wanRows(gw.mac)).map((r) => [r.up, r.rx_bytes, r.tx_bytes])).toEqual(gw.wanPortIndexes.map(() => [false, 0, 0]));
    expect((await siteTruthOf(t, site.id)).gateway.boot_time).toBe(inc.end);

    const now = await advance(t, 240);
    const [up] = await orgGet<Row[]>(t, `stats/devices?type=gateway&mac=${gw.mac}`);
    expect([up!.status, up!.uptime]).toEqual(['connected', Math.floor(now - inc.end)]);
    for (const r of await wanRows(gw.mac)) {
      const speed = Number(r.speed) * 1e6;
      expect(r.up).toBe(true);
      expect(Number(r.rx_bytes)).toBeLessThanOrEqual((speed * (now - inc.end)) / 8);
    }
    expect(Number((await wanRows(gw.mac))[0]!.rx_bytes)).toBeGreaterThan(0);
  });
});
