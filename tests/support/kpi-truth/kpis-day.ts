import { LEVELS } from '../../../src/rules/config.js';
import {
  CIRCUIT_ON, GATEWAY_ON, QUALITY, longestRun, qualityAt, sum, utilizationOver,
  type CircuitMinutes, type Compare, type Make, type QualityKpi, type RecordedNames, type Tolerance,
} from './kpi-types.js';
import { activeCircuit, counterMinutes, failoverAt, gaugeMinutes, upOf, type TruthGateway } from './truth-kpis.js';

/**
 * The first UTC day (Prometheus time 0 is the simulated midnight), recorded by the day group during the next
 * day's first hour: compared at three evaluation minutes in that hour. The day is the trailing hours ending at
 * clock hours 1 … 24: evaluation minutes 1 … 1440, i.e. gauge minutes 0 … 1439 and counter minutes 0 … 1438
 * (minute −1 was never collected). Averages are the true means over the day's minutes; the rules average hourly
 * values (equal when every hour is complete).
 */
export function dayKpis(gateways: readonly TruthGateway[], perCircuit: readonly CircuitMinutes[], n: number, names: RecordedNames, make: Make, compare: Compare): void {
  const D = 1440;
  if (n < D + 60) return;
  const at = [D, D + 30, D + 59];
  const gauge = gaugeMinutes(D, D, n);
  const counter = counterMinutes(D, D, n);
  const evals = Array.from({ length: D }, (_, i) => i + 1);
  const day = (name: string, labels: Readonly<Record<string, string>>, value: number | undefined): void =>
    make(name, labels, (p) => (at.includes(p) ? value : undefined), D, D + 59);
  for (const { circuit, gateway, breach } of perCircuit) {
    const l = circuit.labels;
    const ups = gauge.map((j) => upOf(circuit.minutes[j])).filter((v) => v !== undefined);
    day('truth_up_minutes_1d', l, sum(ups));
    day('truth_availability_1d', l, sum(ups) / ups.length);
    day('truth_flaps_1d', l, sum(counter.map((j) => circuit.minutes[j]?.transitions ?? 0)));
    if (circuit.primary) day('truth_failovers_1d', l, sum(gauge.map((j) => failoverAt(gateway, circuit, j))));
    const hourly = Array.from({ length: 24 }, (_, h) => utilizationOver(circuit, counterMinutes((h + 1) * 60, 60, n)));
    if (hourly.every((u) => u !== undefined)) {
      day('truth_utilization_max_1d', l, Math.max(...(hourly as number[])));
      day('truth_utilization_avg_1d', l, utilizationOver(circuit, counter));
    }
    for (const level of LEVELS) {
      const flags = evals.map((q) => breach[level]![q] ?? 0);
      day('truth_utilization_breach_seconds_1d', { ...l, level }, sum(flags) * 60);
      day('truth_utilization_longest_run_1d', { ...l, level }, longestRun(flags) * 60);
    }
    for (const [kpi, q] of Object.entries(QUALITY)) {
      const values = gauge.map((j) => circuit.minutes[j]?.[q.field]).filter((v): v is number => typeof v === 'number').map((v) => v * q.scale);
      if (values.length === 0) continue;
      day(`truth_${kpi}_avg_1d`, l, sum(values) / values.length);
      day(`truth_${kpi}_max_1d`, l, Math.max(...values));
    }
  }
  for (const gw of gateways) {
    // Quality of the active circuit over the day's minutes on the secondary (absent: never on it).
    for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
      const values = gauge.map((j) => {
        const a = activeCircuit(gw, j);
        return a !== undefined && !a.primary ? qualityAt(a, kpi, j) : undefined;
      }).filter((v) => v !== undefined);
      if (values.length > 0) day(`truth_secondary_${kpi}_avg_1d`, gw.labels, sum(values) / values.length);
    }
    const primary = gw.circuits.find((c) => c.primary);
    day('truth_on_secondary_seconds_1d', gw.labels, 60 * sum(gauge.map((j) => {
      const a = activeCircuit(gw, j);
      return a !== undefined && a !== primary ? 1 : 0;
    })));
  }
  const d = names.day;
  const one = (id: string, recorded: string, truth: string, tolerance: Tolerance, on = CIRCUIT_ON): void =>
    compare({ id, recorded: '', truth, on, tolerance, from: D, to: D + 59, checkpoints: { minutes: at, recordedAt: () => recorded } });
  one('up minutes 1d', d.upMinutes, 'truth_up_minutes_1d', { abs: 0 });
  one('availability 1d', d.availability, 'truth_availability_1d', { abs: 0.005 });
  one('flaps 1d', d.flaps, 'truth_flaps_1d', { abs: 0 });
  one('failovers 1d', `sum without (to_port_id) (${d.failovers})`, 'truth_failovers_1d', { abs: 0 });
  one('time on secondary 1d', d.onSecondarySeconds, 'truth_on_secondary_seconds_1d', { abs: 60 }, GATEWAY_ON);
  one('utilization max 1d (busiest hour)', d.utilizationMax, 'truth_utilization_max_1d', { rel: 0.02 });
  one('utilization avg 1d', d.utilizationAvg, 'truth_utilization_avg_1d', { rel: 0.02 });
  for (const level of LEVELS) {
    const lv = `{level="${level}"}`;
    one(`utilization time above ${level} 1d`, `${d.utilizationBreachSeconds}${lv}`, `truth_utilization_breach_seconds_1d${lv}`, { abs: 60 });
    one(`utilization longest run above ${level} 1d`, `${d.utilizationLongestRun}${lv}`, `truth_utilization_longest_run_1d${lv}`, { abs: 60 });
  }
  for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
    one(`${kpi} avg 1d`, d.quality[kpi].avg, `truth_${kpi}_avg_1d`, { rel: 0.05 });
    one(`${kpi} max 1d`, d.quality[kpi].max, `truth_${kpi}_max_1d`, { rel: 0.05 });
    one(`${kpi} on secondary avg 1d`, d.secondaryAvg[kpi], `truth_secondary_${kpi}_avg_1d`, { rel: 0.05 }, GATEWAY_ON);
  }
}
