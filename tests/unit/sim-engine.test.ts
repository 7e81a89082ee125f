import { beforeAll, describe, expect, it } from 'vitest';
import { SimEngine } from '../../src/sim/engine/engine.js';
import { DEFAULT_INCIDENT_SECONDS, INCIDENT_KINDS } from '../../src/sim/engine/incidents.js';
import { buildOrg } from '../../src/sim/model/org.js';
import type { SimOrg } from '../../src/sim/model/types.js';
import { TEST_START } from '../support/sim-server.js';

const SEED = 'mist-wan';
const DAY = TEST_START - (TEST_START % 86_400);

function engineFor(sites: number, start: number, seed = SEED, historyMinutes = 180): SimEngine {
  return new SimEngine(buildOrg(seed, sites), { seed, historyMinutes, start });
}

/** Every typed array of the engine state, by field name. */
function stateArrays(e: SimEngine): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(e.ctx.state)) if (ArrayBuffer.isView(v)) out[k] = Array.from(v as unknown as ArrayLike<number>);
  return out;
}

const spokeWithTraffic = (e: SimEngine): SimOrg['gateways'][number] =>
  e.org.gateways.find((g) => !e.org.sites[g.siteIndex]!.isHub && e.ctx.state.connected[g.index] === 1 &&
    e.ctx.state.activePort[g.index] === g.wanPortIndexes[0] && e.ctx.state.rxBytes[g.wanPortIndexes[0]!]! > 0)!;

describe('engine: reboots and counters', () => {
  it('offers a reboot incident kind lasting 180 s by default', () => {
    expect(INCIDENT_KINDS).toContain('reboot');
    expect(DEFAULT_INCIDENT_SECONDS.reboot).toBe(180);
  });

  it('a forced reboot takes the gateway offline, resets its counters to zero and moves boot time to its end', () => {
    const e = engineFor(50, TEST_START - 3600);
    e.advanceTo(TEST_START);
    const s = e.ctx.state;
    const gw = spokeWithTraffic(e);
    const g = gw.index;
    const other = e.org.gateways.find((x) => x.index !== g && s.connected[x.index] === 1)!;
    const otherBefore = e.counters(other.wanPortIndexes[0]!).rxBytes;
    expect(s.bootTime[g]).toBeLessThan(TEST_START - 86_400);

    e.addIncident('reboot', gw.siteIndex, undefined, 180);
    expect(s.connected[g]).toBe(0);
    expect(s.bootTime[g]).toBe(TEST_START + 180);
    for (const p of gw.wanPortIndexes) {
      expect(s.up[p]).toBe(0);
      expect(e.counters(p)).toEqual({ rxBytes: 0, txBytes: 0, rxPkts: 0, txPkts: 0 });
    }
    expect([s.lanRxBytes[g * 2], s.lanTxBytes[g * 2 + 1]]).toEqual([0, 0]);
    const events = e.ctx.events.range(TEST_START, TEST_START + 1).filter((ev) => ev.gatewayIndex === g).map((ev) => ev.type);
    expect(events).toContain('GW_DISCONNECTED');
    expect(events.filter((t) => t === 'GW_PORT_DOWN')).toHaveLength(gw.wanPortIndexes.length);

    e.advanceTo(TEST_START + 179);
    expect(s.connected[g]).toBe(0);
    expect(e.counters(gw.wanPortIndexes[0]!).rxBytes).toBe(0);
    expect(e.counters(other.wanPortIndexes[0]!).rxBytes).toBeGreaterThan(otherBefore);

    e.advanceTo(TEST_START + 180);
    expect(s.connected[g]).toBe(1);
    for (const p of gw.wanPortIndexes) expect(s.up[p]).toBe(1);
    e.advanceTo(TEST_START + 300);
    const primary = e.org.wanPorts[gw.wanPortIndexes[0]!]!;
    const rx = e.counters(primary.index).rxBytes;
    expect(rx).toBeGreaterThan(0);
    expect(rx).toBeLessThanOrEqual((primary.speedMbps * 1e6 * 120) / 8);
    expect(s.bootTime[g]).toBe(TEST_START + 180);
    expect(s.failovers[g]).toBe(0);
  });

  it('keeps byte and packet counters monotonic minute to minute, except across a (random) reboot', () => {
    const start = (Math.floor(TEST_START / 60) - 360) * 60;
    const e = engineFor(500, start);
    const s = e.ctx.state;
    const fields = ['rxBytes', 'txBytes', 'rxPkts', 'txPkts'] as const;
    let prev = fields.map((f) => Float64Array.from(s[f]));
    let prevBoot = Float64Array.from(s.bootTime);
    const problems: string[] = [];
    let reboots = 0;
    for (let t = start + 60; t <= start + 6 * 3600; t += 60) {
      e.advanceTo(t);
      for (const port of e.org.wanPorts) {
        const p = port.index;
        const rebooted = s.bootTime[port.gatewayIndex] !== prevBoot[port.gatewayIndex];
        fields.forEach((f, k) => {
          const now = s[f][p]!;
          if (rebooted) {
            // Back at ~0: at most what the line could carry since it came back.
            if (now > (Math.max(0, t - s.bootTime[port.gatewayIndex]!) * port.speedMbps * 1e6) / 8) problems.push(`${f} ${p} not reset`);
          } else if (now < prev[k]![p]!) problems.push(`${f} ${p} went backwards at ${t}`);
        });
      }
      for (let g = 0; g < s.bootTime.length; g++) {
        if (s.bootTime[g] !== prevBoot[g]) {
          reboots++;
          expect(s.bootTime[g]).toBe(t + 180);
        }
      }
      prev = fields.map((f) => Float64Array.from(s[f]));
      prevBoot = Float64Array.from(s.bootTime);
    }
    expect(problems).toEqual([]);
    // The seed gives this org a few random reboots in these six hours (~1 per gateway per 45 days).
    expect(reboots).toBeGreaterThanOrEqual(1);
    expect(reboots).toBeLessThanOrEqual(10);
  });

  it('records per-minute history whose utilisation adds up to the counter deltas', () => {
    const m0 = Math.floor(TEST_START / 60) - 60;
    const e = engineFor(80, m0 * 60 - 600);
    e.advanceTo(m0 * 60);
    const before = e.org.wanPorts.map((p) => e.counters(p.index));
    const boot = Float64Array.from(e.ctx.state.bootTime);
    e.advanceTo((m0 + 60) * 60);
    let compared = 0;
    const odd: unknown[] = [];
    for (const port of e.org.wanPorts) {
      if (e.ctx.state.bootTime[port.gatewayIndex] !== boot[port.gatewayIndex]) continue;
      const records = e.ctx.history.read(port.index, m0, m0 + 60);
      expect(records.map((r) => r.minute)).toEqual(Array.from({ length: 60 }, (_, i) => (m0 + i) * 60));
      const bytesPerMinute = (port.speedMbps * 1e6 * 60) / 8;
      const tolerance = 60 * bytesPerMinute * 1e-6 + 2;
      const after = e.counters(port.index);
      const rx = records.reduce((sum, r) => sum + r.rxUtil * bytesPerMinute, 0);
      // txUtil is relative to the upstream contract.
      const tx = records.reduce((sum, r) => sum + (r.txUtil * bytesPerMinute * port.upMbps) / port.speedMbps, 0);
      expect(Math.abs(after.rxBytes - before[port.index]!.rxBytes - rx)).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(after.txBytes - before[port.index]!.txBytes - tx)).toBeLessThanOrEqual(tolerance);
      // A circuit that did not change state in a minute was up (or down) for all of it, and only carries the site when up.
      odd.push(...records.filter((r) => (r.transitions === 0 && r.upSeconds % 60 !== 0) || r.activeSeconds > r.upSeconds));
      compared++;
    }
    expect(odd).toEqual([]);
    expect(compared).toBeGreaterThan(150);
  });
});

describe('engine: busy hours in site-local time', () => {
  // Local 03:30 and 12:30 fall between 08:30 and 20:30 UTC for all four US/Canada offsets.
  const snapshots = new Map<number, { rx: Float64Array; up: Uint8Array; active: Int32Array; loss: Float32Array; lat: Float32Array; connected: Uint8Array }>();
  let org: SimOrg;
  beforeAll(() => {
    const e = engineFor(200, DAY + 8 * 3600);
    org = e.org;
    for (let h = 8; h <= 20; h++) {
      e.advanceTo(DAY + h * 3600 + 1800);
      const s = e.ctx.state;
      snapshots.set(h, { rx: Float64Array.from(s.rxBps), up: Uint8Array.from(s.up), active: Int32Array.from(s.activePort),
        loss: Float32Array.from(s.lossPct), lat: Float32Array.from(s.latencyMs), connected: Uint8Array.from(s.connected) });
    }
  });
  /** The snapshot taken at a site's local hh:30. */
  const at = (siteIndex: number, localHour: number): NonNullable<ReturnType<typeof snapshots.get>> =>
    snapshots.get(localHour - org.sites[siteIndex]!.tzOffsetMinutes / 60)!;

  it('carries far more traffic at local midday than at night', () => {
    let compared = 0;
    let busier = 0;
    for (const gw of org.gateways) {
      const [noon, night] = [at(gw.siteIndex, 12), at(gw.siteIndex, 3)];
      if (noon.connected[gw.index] === 0 || night.connected[gw.index] === 0) continue;
      const total = (snap: typeof noon): number => gw.wanPortIndexes.reduce((sum, p) => sum + snap.rx[p]!, 0);
      compared++;
      if (total(noon) > 5 * total(night)) busier++;
    }
    expect(compared).toBeGreaterThan(190);
    expect(busier / compared).toBeGreaterThan(0.95);
  });

  it('runs congested primaries near line rate in busy hours, with more loss and latency than at night', () => {
    const congested = org.wanPorts.filter((p) => p.role === 'primary' && p.traits.congested && !org.sites[p.siteIndex]!.isHub);
    const calm = org.wanPorts.filter((p) => p.role === 'primary' && !p.traits.congested && !org.sites[p.siteIndex]!.isHub);
    expect(congested.length).toBeGreaterThanOrEqual(5);
    const utilAt = (p: (typeof congested)[number], h: number): number => at(p.siteIndex, h).rx[p.index]! / (p.speedMbps * 1e6);
    const activeAtNoon = congested.filter((p) => at(p.siteIndex, 12).active[p.gatewayIndex] === p.index);
    const noonUtil = activeAtNoon.map((p) => utilAt(p, 12)).sort((a, b) => a - b);
    expect(noonUtil.length).toBeGreaterThanOrEqual(congested.length - 2);
    expect(noonUtil[0]).toBeGreaterThan(0.75);
    expect(noonUtil[Math.floor(noonUtil.length / 2)]).toBeGreaterThan(0.88);
    expect(Math.max(...calm.map((p) => utilAt(p, 12)))).toBeLessThan(0.9);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(activeAtNoon.map((p) => at(p.siteIndex, 12).loss[p.index]!))).toBeGreaterThan(3 * mean(activeAtNoon.map((p) => at(p.siteIndex, 3).loss[p.index]!)));
    expect(mean(activeAtNoon.map((p) => at(p.siteIndex, 12).lat[p.index]!))).toBeGreaterThan(1.5 * mean(activeAtNoon.map((p) => at(p.siteIndex, 3).lat[p.index]!)));
  });
});

describe('engine: determinism', () => {
  const run = (seed: string, steps: number[]): SimEngine => {
    const e = engineFor(60, TEST_START - 1800, seed);
    for (const t of steps) {
      e.advanceTo(t);
      if (t === TEST_START) {
        e.addIncident('flap', 5, e.org.gateways[5]!.wanPortIndexes[0], 90);
        e.addIncident('outage', 9, undefined, 600);
      }
    }
    return e;
  };
  const minuteSteps = Array.from({ length: 91 }, (_, i) => TEST_START - 1800 + i * 60);

  it('evolves two engines with the same seed and start identically', () => {
    const [a, b] = [run(SEED, minuteSteps), run(SEED, minuteSteps)];
    expect(stateArrays(a)).toEqual(stateArrays(b));
    expect(a.ctx.events.range(0, Infinity)).toEqual(b.ctx.events.range(0, Infinity));
    expect(a.ctx.alarms.overlapping(0, Infinity)).toEqual(b.ctx.alarms.overlapping(0, Infinity));
  });

  it('does not depend on how often it is observed', () => {
    const a = run(SEED, minuteSteps);
    const b = run(SEED, [TEST_START - 1777.5, TEST_START - 1000.25, TEST_START, TEST_START + 61.5, TEST_START + 3600]);
    const [sa, sb] = [stateArrays(a), stateArrays(b)];
    for (const [k, va] of Object.entries(sa)) {
      const vb = sb[k]!;
      if (/Bytes|Pkts/.test(k)) va.forEach((x, i) => expect(Math.abs(x - vb[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, x)));
      else expect(vb, k).toEqual(va);
    }
  });

  it('evolves differently with another seed', () => {
    const [a, b] = [run(SEED, minuteSteps), run('other-seed', minuteSteps)];
    expect(stateArrays(a).rxBytes).not.toEqual(stateArrays(b).rxBytes);
  });
});

describe('engine: cost at 3,208 sites (measured, not asserted)', () => {
  it('warms up 120 simulated minutes and then advances minute by minute', () => {
    const t0 = performance.now();
    const e = engineFor(3208, TEST_START - 7200);
    const t1 = performance.now();
    e.advanceTo(TEST_START);
    const t2 = performance.now();
    e.advanceTo(TEST_START + 600);
    const t3 = performance.now();
    expect(e.now).toBe(TEST_START + 600);
    console.log(`engine @3208 sites: build org+engine ${(t1 - t0).toFixed(0)} ms, warm-up 120 min ${(t2 - t1).toFixed(0)} ms ` +
      `(${((t2 - t1) / 120).toFixed(1)} ms per simulated minute), advanceTo ${((t3 - t2) / 10).toFixed(1)} ms per minute`);
  });
});
