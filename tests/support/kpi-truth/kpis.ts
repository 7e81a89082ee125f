import { LEVELS, type KpiConfig } from '../../../src/rules/config.js';
import {
  CIRCUIT_ON, GATEWAY_ON, QUALITY, longestRun, qualityAt, sum, utilizationOver,
  type CircuitMinutes, type Comparison, type QualityKpi, type RecordedNames, type Tolerance, type TruthModel,
} from './kpi-types.js';
import { dayKpis } from './kpis-day.js';
import { windowKpis } from './kpis-windows.js';
import {
  activeCircuit, counterMinutes, failoverAt, gaugeMinutes, promQuantile, upOf,
  type TruthCircuit, type TruthGateway, type TruthSeries,
} from './truth-kpis.js';

export type { Comparison, RecordedNames, Tolerance, TruthModel } from './kpi-types.js';

/**
 * The truth of every KPI compared, as series to inject, and the comparisons (recorded PromQL vs truth series).
 * Windows in minutes; P ranges are evaluation minutes (see truth-kpis.ts for the alignment).
 */

export function buildTruthModel(gateways: readonly TruthGateway[], n: number, config: KpiConfig, names: RecordedNames): TruthModel {
  const series: TruthSeries[] = [];
  const comparisons: Comparison[] = [];
  const thresholds = config.thresholds.utilization;
  const evalMinutes = Array.from({ length: n + 1 }, (_, p) => p);
  const make = (name: string, labels: Readonly<Record<string, string>>, at: (p: number) => number | undefined, from: number, to: number): void => {
    series.push({ name, labels, values: evalMinutes.map((p) => (p >= from && p <= to ? at(p) : undefined)) });
  };
  const compare = (c: Comparison): void => void comparisons.push(c);

  const perCircuit: CircuitMinutes[] = gateways.flatMap((gateway) => gateway.circuits.map((circuit) => {
    // As the rule: over the deltas known so far (fewer than 5 in the first minutes of the data).
    const util5m = evalMinutes.map((p) => (p >= 2 ? utilizationOver(circuit, counterMinutes(p, 5, n)) : undefined));
    const breach = Object.fromEntries(LEVELS.map((level) => [level, util5m.map((u) => (u === undefined ? undefined : u >= thresholds[level] ? 1 : 0))]));
    return { circuit, gateway, util5m, breach };
  }));

  // ── per minute ──
  const last = n; // the last evaluation minute with data (reads snapshot n − 1)
  for (const { circuit, gateway, util5m } of perCircuit) {
    const l = circuit.labels;
    make('truth_up_1m', l, (p) => upOf(circuit.minutes[p - 1]), 1, last);
    // Not compared where the window holds the minute before a counter reset (its bytes are unobservable: 1 of 5
    // minutes missing cannot be within 2 %). The hourly utilization is compared there (1 of 60).
    make('truth_utilization_5m', l, (p) => (counterMinutes(p, 5, n).some((j) => gateway.unobservableBytes.has(j)) ? undefined : util5m[p]), 2, last);
    make('truth_flaps_1m', l, (p) => circuit.minutes[p - 2]?.transitions, 2, last);
    for (const [kpi, q] of Object.entries(QUALITY)) {
      make(`truth_${kpi}_1m`, l, (p) => {
        const v = circuit.minutes[p - 1]?.[q.field];
        return v === null || v === undefined ? undefined : v * q.scale;
      }, 1, last);
    }
  }
  compare({ id: 'up per minute', recorded: names.circuitUp, truth: 'truth_up_1m', on: CIRCUIT_ON, tolerance: { abs: 0 }, from: 1, to: last });
  compare({ id: 'utilization 5m', recorded: names.utilization5m, truth: 'truth_utilization_5m', on: CIRCUIT_ON, tolerance: { rel: 0.02 }, from: 2, to: last });
  compare({ id: 'flaps per minute', recorded: names.flaps, truth: 'truth_flaps_1m', on: CIRCUIT_ON, tolerance: { abs: 0 }, from: 2, to: last });
  for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
    compare({ id: `${kpi} per minute`, recorded: names[kpi], truth: `truth_${kpi}_1m`, on: CIRCUIT_ON, tolerance: { rel: 0.05 }, from: 1, to: last });
  }

  // Site down: every circuit of the site down (its gateway disconnected makes them all down).
  for (const gw of gateways) {
    make('truth_site_down_1m', { org_id: gw.labels.org_id!, site_id: gw.labels.site_id! },
      (p) => (gw.circuits.every((c) => upOf(c.minutes[p - 1]) === 0) ? 1 : 0), 1, last);
  }
  compare({ id: 'site down per minute', recorded: names.siteDown, truth: 'truth_site_down_1m', on: ['org_id', 'site_id'], tolerance: { abs: 0 }, from: 1, to: last });
  // Quality of the active circuit while on the secondary (absent otherwise).
  const onSecondary = (gw: TruthGateway, j: number): TruthCircuit | undefined => {
    const a = activeCircuit(gw, j);
    return a !== undefined && !a.primary ? a : undefined;
  };
  for (const gw of gateways) {
    for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
      make(`truth_secondary_${kpi}_1m`, gw.labels, (p) => qualityAt(onSecondary(gw, p - 1), kpi, p - 1), 1, last);
      make(`truth_secondary_${kpi}_avg_1h`, gw.labels, (p) => {
        const v = gaugeMinutes(p, 60, n).map((j) => qualityAt(onSecondary(gw, j), kpi, j)).filter((x) => x !== undefined);
        return v.length > 0 ? sum(v) / v.length : undefined;
      }, 62, last);
    }
  }
  for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
    compare({ id: `${kpi} on secondary per minute`, recorded: names.secondary[kpi], truth: `truth_secondary_${kpi}_1m`, on: GATEWAY_ON, tolerance: { rel: 0.05 }, from: 1, to: last });
    compare({ id: `${kpi} on secondary avg 1h`, recorded: names.secondaryAvg1h[kpi], truth: `truth_secondary_${kpi}_avg_1h`, on: GATEWAY_ON, tolerance: { rel: 0.05 }, from: 62, to: last });
  }

  // ── trailing hour, recorded every minute ──
  const H = 60;
  const hourFrom = H + 2;
  for (const { circuit, breach } of perCircuit) {
    const l = circuit.labels;
    const ups = (p: number): number[] => gaugeMinutes(p, H, n).map((j) => upOf(circuit.minutes[j])).filter((v) => v !== undefined);
    make('truth_up_minutes_1h', l, (p) => sum(ups(p)), hourFrom, last);
    make('truth_availability_1h', l, (p) => sum(ups(p)) / ups(p).length, hourFrom, last);
    make('truth_utilization_1h', l, (p) => utilizationOver(circuit, counterMinutes(p, H, n)), hourFrom, last);
    make('truth_flaps_1h', l, (p) => sum(counterMinutes(p, H, n).map((j) => circuit.minutes[j]?.transitions ?? 0)), hourFrom, last);
    for (const level of LEVELS) {
      const flags = breach[level]!;
      const window = (p: number): (number | undefined)[] => evalMinutes.slice(p - H + 1, p + 1).map((q) => flags[q]);
      make('truth_utilization_breach_seconds_1h', { ...l, level }, (p) => sum(window(p).map((f) => f ?? 0)) * 60, hourFrom, last);
      make('truth_utilization_longest_run_1h', { ...l, level }, (p) => longestRun(window(p)) * 60, hourFrom, last);
    }
    // Time above a quality threshold, as a band: a minute whose truth is within the quality tolerance (±5 %) of the
    // threshold may be on either side (Mist serves loss to 0.01 %, latency and jitter to 1 ms: a minute at
    // 0.0996 % is 0.10 % there). Low end: minutes surely above; high end: minutes possibly above. Defined where the
    // circuit had a quality value in the hour (none: no flags are recorded).
    for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
      for (const level of LEVELS) {
        const t = config.thresholds[QUALITY[kpi].config][level];
        const count = (p: number, above: (v: number) => boolean): number | undefined => {
          const v = gaugeMinutes(p, H, n).map((j) => qualityAt(circuit, kpi, j)).filter((x) => x !== undefined);
          return v.length === 0 ? undefined : 60 * v.filter(above).length;
        };
        make(`truth_${kpi}_breach_seconds_low_1h`, { ...l, level }, (p) => count(p, (v) => v >= t * 1.05), hourFrom, last);
        make(`truth_${kpi}_breach_seconds_high_1h`, { ...l, level }, (p) => count(p, (v) => v >= t * 0.95), hourFrom, last);
      }
    }
    for (const [kpi, q] of Object.entries(QUALITY)) {
      const values = (p: number): number[] => gaugeMinutes(p, H, n).map((j) => circuit.minutes[j]?.[q.field]).filter((v): v is number => typeof v === 'number').map((v) => v * q.scale);
      const defined = (f: (v: number[]) => number) => (p: number): number | undefined => (values(p).length > 0 ? f(values(p)) : undefined);
      make(`truth_${kpi}_avg_1h`, l, defined((v) => sum(v) / v.length), hourFrom, last);
      make(`truth_${kpi}_max_1h`, l, defined((v) => Math.max(...v)), hourFrom, last);
      make(`truth_${kpi}_p95_1h`, l, defined((v) => promQuantile(0.95, v)), hourFrom, last);
    }
  }
  for (const gw of gateways) {
    for (const circuit of gw.circuits) {
      if (!circuit.primary) continue;
      make('truth_failovers_1h', circuit.labels, (p) => sum(gaugeMinutes(p, H, n).map((j) => failoverAt(gw, circuit, j))), hourFrom, last);
    }
    const primary = gw.circuits.find((c) => c.primary);
    make('truth_on_secondary_seconds_1h', gw.labels, (p) => 60 * sum(gaugeMinutes(p, H, n).map((j) => {
      const a = activeCircuit(gw, j);
      return a !== undefined && a !== primary ? 1 : 0;
    })), hourFrom, last);
  }
  const hourly = (id: string, recorded: string, truth: string, tolerance: Tolerance, on = CIRCUIT_ON, from = hourFrom): void =>
    compare({ id, recorded, truth, on, tolerance, from, to: last });
  hourly('up minutes 1h', names.upMinutes1h, 'truth_up_minutes_1h', { abs: 0 });
  hourly('availability 1h', names.availability1h, 'truth_availability_1h', { abs: 0.005 });
  hourly('utilization 1h', names.utilization1h, 'truth_utilization_1h', { rel: 0.02 });
  hourly('flaps 1h', names.flaps1h, 'truth_flaps_1h', { abs: 0 });
  hourly('failovers 1h', `sum without (to_port_id) (${names.failovers1h})`, 'truth_failovers_1h', { abs: 0 });
  hourly('time on secondary 1h', names.onSecondarySeconds1h, 'truth_on_secondary_seconds_1h', { abs: 60 }, GATEWAY_ON);
  // One level per item: promtool's engine loads at most 50,000 samples per query.
  for (const level of LEVELS) {
    const lv = `{level="${level}"}`;
    hourly(`utilization time above ${level} 1h`, `${names.utilizationBreachSeconds1h}${lv}`, `truth_utilization_breach_seconds_1h${lv}`, { abs: 60 }, CIRCUIT_ON, hourFrom);
    // The longest run is clipped to the clock hour (seconds_in_hour): compared at the end of each clock hour,
    // where the trailing hour is that clock hour.
    const clockHours: number[] = [];
    for (let p = last - (last % H); p >= hourFrom; p -= H) clockHours.push(p);
    compare({ id: `utilization longest run above ${level} in the clock hour`, recorded: '', truth: `truth_utilization_longest_run_1h${lv}`,
      on: CIRCUIT_ON, tolerance: { abs: 60 }, from: hourFrom, to: last,
      checkpoints: { minutes: clockHours, recordedAt: () => `${names.utilizationLongestRun1h}${lv}` } });
  }
  for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
    for (const level of LEVELS) {
      const lv = `{level="${level}"}`;
      compare({ id: `${kpi} time above ${level} 1h`, recorded: `${names.qualityBreachSeconds1h[kpi]}${lv}`, truth: `truth_${kpi}_breach_seconds_low_1h${lv}`,
        truthHigh: `truth_${kpi}_breach_seconds_high_1h${lv}`, on: CIRCUIT_ON, tolerance: { abs: 60 }, from: hourFrom, to: last });
    }
    for (const stat of ['avg', 'max', 'p95'] as const) {
      hourly(`${kpi} ${stat} 1h`, names.quality1h[kpi][stat], `truth_${kpi}_${stat}_1h`, { rel: 0.05 });
    }
  }

  windowKpis(gateways, perCircuit, last, names, make, compare);
  dayKpis(gateways, perCircuit, n, names, make, compare);
  return { series, comparisons };
}

