import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimSite } from '../../src/sim/model/types.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import {
  advance, force, orgGet, searchRows, siteTruthOf, truthOf, type IncidentReply, type Truth, type TruthCircuit, type TruthSite,
} from '../support/truth.js';

/** /__sim/truth agrees with what the Mist-shaped API serves. speed 1e-9 freezes simulated time between calls. */

type Row = Record<string, unknown>;
const close3 = (api: unknown, truth: number): boolean => Math.abs(Number(api) - truth) <= 0.0006;

/** Each truth value of a site, by circuit, bracketed by two truth reads taken around an API call. */
function bracket(a: Truth, b: Truth): { site: TruthSite; circuit: TruthCircuit; later: TruthCircuit }[] {
  return a.sites.flatMap((site, i) => site.circuits.map((circuit, k) => ({ site, circuit, later: b.sites[i]!.circuits[k]! })));
}
const between = (v: unknown, lo: number, hi: number): boolean => Number(v) >= lo && Number(v) <= hi;

describe('truth agrees with the API (frozen clock)', () => {
  let t: TestSim;
  let sample: SimSite[];
  let outage: IncidentReply;
  const macs = (): string => sample.map((s) => t.sim.org.gateways[s.gatewayIndex]!.mac).join(',');
  beforeAll(async () => {
    t = await startTestSim({ speed: 1e-9 });
    // Every 8th site (hubs included), some of them mid-incident so down ports, paths and gateways are compared too.
    sample = t.sim.org.sites.filter((s) => s.index % 8 === 0);
    outage = await force(t, { kind: 'outage', site_id: sample[1]!.id, duration_seconds: 3600 });
    await force(t, { kind: 'flap', site_id: sample[2]!.id, duration_seconds: 3600 });
    await force(t, { kind: 'failover', site_id: sample[3]!.id, duration_seconds: 3600 });
    await advance(t, 90);
  });
  afterAll(async () => {
    await t.close();
  });
  const ids = (): string[] => sample.map((s) => s.id);

  it('ports/search rows equal the truth circuits (state, counters, speed, last_flapped, loss/latency/jitter)', async () => {
    const a = await truthOf(t, ids());
    const rows = await searchRows(t, `stats/ports/search?device_type=gateway&mac=${macs()}&limit=1000`);
    const b = await truthOf(t, ids());
    const wan = rows.filter((r) => r.port_usage === 'wan');
    const pairs = bracket(a, b);
    expect(wan).toHaveLength(pairs.length);
    expect(pairs.some((p) => !p.circuit.up)).toBe(true);
    for (const { site, circuit: c, later } of pairs) {
      const row = wan.find((r) => r.mac === site.gateway.mac && r.port_id === c.port_id);
      expect(row, `${site.name} ${c.port_id}`).toBeDefined();
      expect([row!.site_id, row!.up, row!.speed, row!.last_flapped]).toEqual([site.site_id, c.up, c.speed_mbps, Math.floor(c.last_flapped)]);
      expect(between(row!.rx_bytes, c.rx_bytes, later.rx_bytes) && between(row!.tx_bytes, c.tx_bytes, later.tx_bytes)).toBe(true);
      expect(Math.abs(Number(row!.rx_bps) - c.rx_bps)).toBeLessThanOrEqual(0.5);
      if (c.up) expect([close3(row!.loss, c.loss_pct), close3(row!.latency, c.latency_ms), close3(row!.jitter, c.jitter_ms)]).toEqual([true, true, true]);
      else expect([row!.loss, row!.latency, row!.jitter]).toEqual([undefined, undefined, undefined]);
    }
  });

  it('stats/devices equal the truth gateways (status, uptime from boot_time, if_stat per circuit)', async () => {
    const a = await truthOf(t, ids());
    const devices = await orgGet<Row[]>(t, `stats/devices?type=gateway&mac=${macs()}&limit=1000`);
    const b = await truthOf(t, ids());
    expect(devices).toHaveLength(sample.length);
    expect(a.sites.some((s) => !s.gateway.connected)).toBe(true);
    for (const site of a.sites) {
      const g = site.gateway;
      const d = devices.find((x) => x.mac === g.mac)!;
      expect([d.id, d.site_id, d.status]).toEqual([g.id, site.site_id, g.connected ? 'connected' : 'disconnected']);
      if (g.connected) expect(between(d.uptime, Math.floor(a.now - g.boot_time), Math.floor(b.now - g.boot_time))).toBe(true);
      else expect(d.uptime).toBe(0);
      const ifStat = Object.values({ ...(d.if_stat as Row), ...((d.if2_stat as Row | undefined) ?? {}) }) as Row[];
      for (const c of site.circuits) {
        const s = ifStat.find((x) => x.port_id === c.port_id && x.port_usage === 'wan')!;
        const later = b.sites.find((x) => x.site_id === site.site_id)!.circuits.find((x) => x.port_id === c.port_id)!;
        expect([s.up, s.wan_name]).toEqual([c.up, c.wan_name]);
        expect(between(s.rx_bytes, c.rx_bytes, later.rx_bytes)).toBe(true);
      }
    }
  });

  it('vpn_peers rows equal the truth paths (up, is_active, loss/latency/jitter/mos)', async () => {
    const truth = await truthOf(t, ids());
    let compared = 0;
    for (const site of truth.sites) {
      const rows = await searchRows(t, `stats/vpn_peers/search?site_id=${site.site_id}&limit=1000`);
      expect(rows).toHaveLength(site.circuits.reduce((n, c) => n + c.paths_total, 0));
      for (const c of site.circuits) {
        for (const p of c.paths!) {
          const svr = p.type === 'svr';
          const row = rows.find((r) => r.port_id === (svr ? c.wan_name : c.port_id) && r.peer_mac === p.peer_mac &&
            r.peer_port_id === (svr ? p.peer_wan_name : p.peer_port_id));
          expect(row, `${site.name} ${c.port_id} -> ${p.peer_mac} ${p.peer_port_id}`).toBeDefined();
          expect([row!.type, row!.up, row!.is_active]).toEqual([p.type, p.up, p.active]);
          if (p.up) {
            expect([close3(row!.loss, p.loss_pct), close3(row!.latency, p.latency_ms), close3(row!.jitter, p.jitter_ms), close3(row!.mos, p.mos)])
              .toEqual([true, true, true, true]);
          }
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(50);
    expect(truth.sites.flatMap((s) => s.circuits.flatMap((c) => c.paths!)).some((p) => !p.up)).toBe(true);
  });

  it('returns N minutes of consecutive history per circuit for minutes=N', async () => {
    const truth = await truthOf(t, ids(), 20);
    const last = Math.floor(truth.now / 60) * 60 - 60;
    for (const c of truth.sites.flatMap((s) => s.circuits)) {
      expect(c.history!.map((h) => h.minute)).toEqual(Array.from({ length: 20 }, (_, i) => last - (19 - i) * 60));
    }
    // The site in outage: down from the incident's start to the end of the last whole minute.
    for (const c of truth.sites[1]!.circuits) {
      const downSeconds = c.history!.reduce((n, h) => n + 60 - h.upSeconds, 0);
      expect(Math.abs(downSeconds - (last + 60 - outage.start))).toBeLessThanOrEqual(1);
      expect(c.history!.reduce((n, h) => n + h.transitions, 0)).toBe(1);
    }
  });
});

describe('truth history and SLE follow forced incidents', () => {
  let t: TestSim;
  beforeAll(async () => {
    t = await startTestSim({ speed: 1e-9 });
  });
  afterAll(async () => {
    await t.close();
  });
  /** Spokes on two non-LTE circuits with no troubled traits, running on their primary. */
  const calm = (): SimSite[] => {
    const { org, engine } = t.sim;
    return org.gateways.filter((g) => g.wanPortIndexes.length === 2 && !org.sites[g.siteIndex]!.isHub &&
      engine.ctx.state.activePort[g.index] === g.wanPortIndexes[0] && engine.ctx.state.cpuPct[g.index]! < 60 &&
      g.wanPortIndexes.every((p) => { const w = org.wanPorts[p]!; return w.kind !== 'lte' && !w.traits.flappy && !w.traits.congested && w.traits.baseLossPct < 1; }))
      .map((g) => org.sites[g.siteIndex]!);
  };

  it('records a primary flap as down seconds, two transitions and active seconds moving to the secondary', async () => {
    const site = calm()[0]!;
    const inc = await force(t, { kind: 'flap', site_id: site.id, duration_seconds: 150 });
    await advance(t, 300);
    const [primary, secondary] = (await siteTruthOf(t, site.id, 10)).circuits as [TruthCircuit, TruthCircuit];
    const sum = (c: TruthCircuit, f: (h: NonNullable<TruthCircuit['history']>[number]) => number): number => c.history!.reduce((n, h) => n + f(h), 0);
    expect(Math.abs(sum(primary, (h) => 60 - h.upSeconds) - (inc.end - inc.start))).toBeLessThanOrEqual(2);
    expect(sum(primary, (h) => h.transitions)).toBe(2);
    expect(primary.history!.every((h) => h.activeSeconds === h.upSeconds)).toBe(true);
    expect(Math.abs(sum(secondary, (h) => h.activeSeconds) - 150)).toBeLessThanOrEqual(2);
    expect([sum(secondary, (h) => h.transitions), sum(secondary, (h) => 60 - h.upSeconds)]).toEqual([0, 0]);
  });

  it('scores sites-sle from the same minutes the truth history shows', async () => {
    const [quiet, flapped] = calm().slice(1);
    const down = t.sim.org.sites.find((s) => !s.isHub && s.index > 60)!;
    await force(t, { kind: 'outage', site_id: down.id, duration_seconds: 3 * 3600 });
    await advance(t, 70 * 60);
    await force(t, { kind: 'flap', site_id: flapped!.id, port_id: (await siteTruthOf(t, flapped!.id)).circuits[1]!.port_id, duration_seconds: 25 * 60 + 30 });
    const now = await advance(t, 50 * 60);
    const end = Math.floor(now / 600) * 600;
    const start = end - 3600;
    const sle = await orgGet<{ results: Row[] }>(t, `insights/sites-sle?sle=wan&start=${start}&end=${end}&limit=1000`);
    const scores = (id: string): unknown[] => {
      const r = sle.results.find((x) => x.site_id === id)!;
      return [r['gateway-health'], r['wan-link-health'], r['application-health']];
    };
    // A site in outage for the whole window: every user-minute degraded.
    expect(scores(down.id)).toEqual([0, 0, 0]);
    // wan-link-health per circuit-minute: down (<30 s up), over 90% utilisation, or all VPN paths down.
    for (const site of [quiet!, flapped!]) {
      const minutes = (await siteTruthOf(t, site.id, 120)).circuits.flatMap((c) => c.history!.filter((h) => h.minute >= start && h.minute < end)
        .map((h) => h.upSeconds < 30 || h.rxUtil > 0.9 || (c.paths_total > 0 && h.pathLossPct === null)));
      expect(minutes).toHaveLength(120);
      const expected = minutes.filter((bad) => !bad).length / minutes.length;
      expect(scores(site.id)).toEqual([1, Math.round(expected * 1e6) / 1e6, 1]);
    }
    expect(scores(flapped!.id)[1]).toBeLessThan(0.9);
    expect(scores(quiet!.id)[1]).toBe(1);
  });
});

describe('SLE realism at 3,208 sites', () => {
  let t: TestSim;
  beforeAll(async () => {
    t = await startTestSim({ sites: 3208, warmupMinutes: 120, speed: 1e-9 });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['1h', '2h'])('scores about one site in twenty below 0.9 over the last %s; healthy sites mostly at or above 0.95', async (duration) => {
    const rows: Row[] = [];
    for (let page = 1; rows.length < 3208; page++) {
      const body = await orgGet<{ results: Row[]; total: number }>(t, `insights/sites-sle?sle=wan&duration=${duration}&limit=1000&page=${page}`);
      expect(body.total).toBe(3208);
      rows.push(...body.results);
    }
    const scores = rows.map((r) => [r['gateway-health'], r['wan-link-health'], r['application-health']].map(Number));
    const troubled = scores.filter((s) => s.some((v) => v < 0.9)).length;
    const rest = scores.filter((s) => s.every((v) => v >= 0.9));
    const healthy = rest.filter((s) => s.every((v) => v >= 0.95)).length;
    console.log(`sites-sle over ${duration} at 3208 sites: ${troubled} below 0.9 (${((100 * troubled) / rows.length).toFixed(2)}%), ` +
      `${healthy}/${rest.length} of the rest >= 0.95 (${((100 * healthy) / rest.length).toFixed(1)}%)`);
    expect(troubled / rows.length).toBeGreaterThan(0.02);
    expect(troubled / rows.length).toBeLessThan(0.1);
    expect(healthy / rest.length).toBeGreaterThan(0.9);
  });
});
