import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { SELF_METRICS } from '../../src/metrics/catalogue/index.js';
import { loadKpiConfig } from '../../src/rules/config.js';
import { R } from '../../src/rules/names.js';
import { buildTruthModel, type RecordedNames } from '../support/kpi-truth/kpis.js';
import { startStepper, type Collection } from '../support/kpi-truth/pipeline.js';
import { buildTestFile, failingComparisons } from '../support/kpi-truth/promtool-file.js';
import { chooseSites, forceDue } from '../support/kpi-truth/scenario.js';
import { failoverAt, truthGateways, type TruthGateway } from '../support/kpi-truth/truth-kpis.js';
import { captureLog } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { truthOf } from '../support/truth.js';

/**
 * KPI truth: the shipped recording rules (prometheus/rules/*.yml, unchanged) compute the simulator's truth.
 *
 * How: `promtool test rules` — the real rule manager and PromQL engine — over 26 simulated hours of a small org
 * collected through the real pipeline (simulator over HTTP → collector cycles → store → the exporter's renderer),
 * stepped one simulated minute at a time. The truth is computed here from the simulator's per-minute history
 * (GET /__sim/truth), independently of the rules, and injected as `truth_*` series; each comparison is a PromQL
 * check expecting no violation plus a count of compared pairs (so an empty join fails).
 * Why not the others: `promtool tsdb create-blocks-from rules` cannot evaluate rules that read other rules'
 * (or their own earlier) output, which ours do (hourly from per-minute, run length from itself); a live
 * Prometheus against a time-compressed copy of the rules tests a copy, not the shipped files.
 *
 * Alignment (truth-kpis.ts): evaluation minute P = Prometheus time P × 60 s; snapshot i is scraped at 60 i and
 * 60 i + 30 s. Gauges (up, path quality, active circuit) and event/failover counters recorded at P describe
 * truth minute P − 1; byte deltas truth minute P − 2; a trailing hour recorded at P covers the 60 such minutes
 * ending there. Prometheus time 0 is the simulated UTC midnight, so the day rules see the simulated day.
 *
 * Tolerances (issue F): utilization ±2 % relative, availability ±0.5 pp, flaps and failovers exact, time above
 * threshold ±1 evaluation interval (cumulative and continuous), quality avg/max/p95 ±5 % relative.
 */

const MINUTES = 26 * 60;
/** 2026-09-21T00:00:00Z: Prometheus time 0 in the test is this simulated UTC midnight. */
const MIDNIGHT = 1_789_948_800;
const ROOT = resolve(import.meta.dirname, '../..');
const RULES_DIR = process.env.KPI_TRUTH_RULES_DIR ?? join(ROOT, 'prometheus/rules');
/** The generated test file and, for diagnosis, what was collected, the truth and promtool's output. */
const TMP = process.env.KPI_TRUTH_OUT ?? mkdtempSync(join(tmpdir(), 'mist-kpi-truth-'));

const NAMES: RecordedNames = {
  circuitUp: R.circuitUp,
  utilization5m: R.utilization5m,
  utilizationBreach: R.utilizationBreach,
  utilizationRun: R.utilizationRun,
  flaps: R.flaps,
  failovers: R.failovers,
  loss: R.loss,
  latency: R.latency,
  jitter: R.jitter,
  onSecondary: R.onSecondary,
  siteDown: R.siteDown,
  secondary: { loss: R.secondaryLoss, latency: R.secondaryLatency, jitter: R.secondaryJitter },
  qualityBreachSeconds1h: { loss: R.lossBreachSeconds1h, latency: R.latencyBreachSeconds1h, jitter: R.jitterBreachSeconds1h },
  secondaryAvg1h: { loss: R.secondaryLossAvg1h, latency: R.secondaryLatencyAvg1h, jitter: R.secondaryJitterAvg1h },
  upMinutes1h: R.upMinutes1h,
  availability1h: R.availability1h,
  utilization1h: R.utilization1h,
  utilizationBreachSeconds1h: R.utilizationBreachSeconds1h,
  utilizationLongestRun1h: R.utilizationLongestRun1h,
  flaps1h: R.flaps1h,
  failovers1h: R.failovers1h,
  onSecondarySeconds1h: R.onSecondarySeconds1h,
  quality1h: {
    loss: { avg: R.lossAvg1h, max: R.lossMax1h, p95: R.lossP95_1h },
    latency: { avg: R.latencyAvg1h, max: R.latencyMax1h, p95: R.latencyP95_1h },
    jitter: { avg: R.jitterAvg1h, max: R.jitterMax1h, p95: R.jitterP95_1h },
  },
  day: {
    upMinutes: R.upMinutes1d,
    availability: R.availability1d,
    utilizationAvg: R.utilizationAvg1d,
    utilizationMax: R.utilizationMax1d,
    utilizationBreachSeconds: R.utilizationBreachSeconds1d,
    utilizationLongestRun: R.utilizationLongestRun1d,
    flaps: R.flaps1d,
    failovers: R.failovers1d,
    onSecondarySeconds: R.onSecondarySeconds1d,
    quality: {
      loss: { avg: R.lossAvg1d, max: R.lossMax1d },
      latency: { avg: R.latencyAvg1d, max: R.latencyMax1d },
      jitter: { avg: R.jitterAvg1d, max: R.jitterMax1d },
    },
    secondaryAvg: { loss: R.secondaryLossAvg1d, latency: R.secondaryLatencyAvg1d, jitter: R.secondaryJitterAvg1d },
  },
};

interface RuleFileDoc { groups?: { name: string; rules?: { expr?: string }[] }[] }

function ruleFiles(): { files: string[]; groups: string[]; reads: Set<string> } {
  // The region rollups read the circuit series and nothing here reads them: left out, they would only add a
  // quarter to promtool's time (every shipped file but those is evaluated, unchanged).
  const files = readdirSync(RULES_DIR).filter((f) => f.endsWith('.yml') && !f.includes('region')).sort().map((f) => join(RULES_DIR, f));
  const catalogued = new Set([
    ...FAMILY_CATALOGUES.flatMap((c) => [...c.groups.flatMap((g) => g.metrics.map((m) => m.name)), ...(c.counters ?? []).map((d) => d.name)]),
    ...SELF_METRICS.map((m) => m.name),
  ]);
  const groups: string[] = [];
  const reads = new Set<string>();
  for (const f of files) {
    const doc = parse(readFileSync(f, 'utf8')) as RuleFileDoc;
    for (const g of doc.groups ?? []) {
      groups.push(g.name);
      for (const r of g.rules ?? []) for (const m of (r.expr ?? '').matchAll(/\bmist_[a-z0-9_]+/g)) if (catalogued.has(m[0])) reads.add(m[0]);
    }
  }
  // Dependency order (per minute → trailing hour → day → rollups), as the shipped groups are built to run.
  const rank = (g: string): number => ['minute', 'hour', 'day'].findIndex((k) => g.endsWith(`_${k}`)) >>> 0;
  groups.sort((a, b) => rank(a) - rank(b));
  return { files, groups, reads };
}

let sim: TestSim;
let collection: Collection;
let gateways: TruthGateway[];
let steppingMs = 0;

beforeAll(async () => {
  const { log } = captureLog('warn');
  sim = await startTestSim({ sites: 8, speed: 1e-9, startTime: MIDNIGHT, warmupMinutes: 120, historyMinutes: MINUTES + 10 });
  const sites = chooseSites(await truthOf(sim, sim.sim.org.sites.map((s) => s.id)));
  const stepper = await startStepper(sim, log, ruleFiles().reads);
  const started = performance.now();
  try {
    for (let i = 0; i < MINUTES; i++) {
      await forceDue(sim, sites, i);
      await stepper.collect();
      stepper.advance();
    }
  } finally {
    await stepper.close();
  }
  steppingMs = performance.now() - started;
  collection = stepper.result();
  const truth = await truthOf(sim, sim.sim.org.sites.map((s) => s.id), MINUTES + 5);
  gateways = truthGateways(sim.orgId, truth.sites, collection.start, MINUTES);
}, 240_000);

afterAll(async () => {
  await sim?.close();
});

/** Values of one collected counter per circuit (`mac|port_id`), summed over its other labels, per snapshot. */
function counterByCircuit(name: string): Map<string, (number | undefined)[]> {
  const out = new Map<string, (number | undefined)[]>();
  for (const s of collection.series.values()) {
    if (s.name !== name) continue;
    const key = `${s.labels.mac}|${s.labels.port_id}`;
    const acc = out.get(key) ?? [];
    s.values.forEach((v, i) => { if (v !== undefined) acc[i] = (acc[i] ?? 0) + v; });
    out.set(key, acc);
  }
  return out;
}

describe('KPI truth: the shipped recording rules against the simulator (8 sites, 26 simulated hours)', () => {
  it('stepped the pipeline minute by minute within budget', () => {
    console.log(`kpi-truth: ${collection.minutes} minutes stepped in ${(steppingMs / 1000).toFixed(1)} s, ${collection.series.size} series kept`);
    expect(collection.minutes).toBe(MINUTES);
    expect(steppingMs).toBeLessThan(120_000);
  });

  it('counts flaps (mist_wan_port_flaps_total) and failovers exactly as the truth transitions, minute by minute', () => {
    const flaps = counterByCircuit('mist_wan_port_flaps_total');
    const failovers = counterByCircuit('mist_wan_port_failovers_total');
    let flapsSeen = 0;
    let failoversSeen = 0;
    for (const gw of gateways) {
      for (const c of gw.circuits) {
        const key = `${c.labels.mac}|${c.labels.port_id}`;
        const counted = flaps.get(key);
        expect(counted, `flap counter of ${key}`).toBeDefined();
        let transitions = 0;
        let fails = 0;
        for (let i = 1; i < MINUTES; i++) {
          transitions += c.minutes[i - 1]?.transitions ?? 0;
          fails += failoverAt(gw, c, i);
          // The counter at snapshot i counts the events before that collection (the event search ends before
          // now): truth minutes 0 … i − 1 (the first walk, at minute 0, counted nothing).
          expect(counted![i]! - counted![0]!, `${key} flaps at minute ${i}`).toBe(transitions);
          if (c.primary) expect((failovers.get(key)?.[i] ?? 0) - (failovers.get(key)?.[0] ?? 0), `${key} failovers at minute ${i}`).toBe(fails);
        }
        flapsSeen += transitions;
        failoversSeen += fails;
      }
    }
    // The scenario's forced flaps, outages and failovers are in it (each flap is a down and an up).
    expect(flapsSeen).toBeGreaterThanOrEqual(10);
    expect(failoversSeen).toBeGreaterThanOrEqual(3);
  });

  it('sees every flap in the up series too, one minute before the counter counts it', () => {
    const flaps = counterByCircuit('mist_wan_port_flaps_total');
    const portUp = counterByCircuit('mist_wan_port_up');
    const gatewayUp = new Map<string, (number | undefined)[]>();
    for (const s of collection.series.values()) if (s.name === 'mist_gateway_up') gatewayUp.set(s.labels.mac!, s.values);
    let changes = 0;
    for (const [key, counted] of flaps) {
      const mac = key.split('|')[0]!;
      // The circuit's state as the rules define it: its port up and its gateway connected.
      const up = (i: number): number => ((portUp.get(key)?.[i] ?? 0) === 1 && gatewayUp.get(mac)?.[i] === 1 ? 1 : 0);
      for (let i = 1; i < MINUTES - 1; i++) {
        // A state change between snapshots i − 1 and i happened at boundary i; the event search ends before now, so
        // the counter counts it at snapshot i + 1. (A state shorter than one collection would be in the counter
        // only: the simulator's flaps last whole minutes.)
        const changed = up(i) !== up(i - 1) ? 1 : 0;
        expect(counted[i + 1]! - counted[i]!, `${key}: up series vs flap counter at minute ${i}`).toBe(changed);
        changes += changed;
      }
    }
    expect(changes).toBeGreaterThanOrEqual(10);
  });

  it('computes every KPI within tolerance of the truth (promtool test rules over the shipped rules)', () => {
    const rules = ruleFiles();
    expect(rules.files.length, `rule files in ${RULES_DIR}`).toBeGreaterThan(0);
    const model = buildTruthModel(gateways, collection.minutes, loadKpiConfig(join(ROOT, 'prometheus/kpi-config.yml')), NAMES);
    // The scenario happened: congestion above the critical level for over an hour, the outages, a counter reset.
    const total = (name: string, at: number, labels: Record<string, string> = {}): number => model.series
      .filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))
      .reduce((acc, x) => acc + (x.values[at] ?? 0), 0);
    expect(total('truth_utilization_longest_run_1d', 1440, { level: 'critical' }), 'longest critical run of the day (s)').toBeGreaterThan(3600);
    expect(model.series.filter((x) => x.name === 'truth_site_down_1m').reduce((acc, x) => acc + x.values.filter((v) => v === 1).length, 0), 'site-down minutes').toBeGreaterThanOrEqual(30);
    expect(gateways.filter((g) => g.unobservableBytes.size > 0).length, 'gateways rebooted (counters reset)').toBeGreaterThanOrEqual(1);
    const { text, owners } = buildTestFile({
      ruleFiles: rules.files, groupOrder: rules.groups, collected: [...collection.series.values()], minutes: collection.minutes, epoch: collection.start,
      truth: model.series, comparisons: model.comparisons,
    });
    mkdirSync(TMP, { recursive: true });
    const file = join(TMP, 'kpi-truth.test.yml');
    writeFileSync(file, text);
    // For diagnosis after a failure: what was collected and the truth it is compared with.
    writeFileSync(join(TMP, 'collected.json'), JSON.stringify([...collection.series.values()]));
    writeFileSync(join(TMP, 'truth.json'), JSON.stringify(model.series));
    const started = performance.now();
    const run = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 200_000 });
    console.log(`kpi-truth: promtool test rules took ${((performance.now() - started) / 1000).toFixed(1)} s; file ${(text.length / 1e6).toFixed(1)} MB, ${model.comparisons.length} comparisons`);
    const output = `${run.stdout}${run.stderr}`;
    writeFileSync(join(TMP, 'promtool-output.txt'), output);
    // The failing comparisons by name first, then promtool's own report (each failing item: expression, time, the
    // violating series with their differences).
    expect(failingComparisons(output, owners), `${TMP}/promtool-output.txt:\n${output.slice(0, 20_000)}`).toEqual([]);
    expect(run.status, output.slice(0, 20_000)).toBe(0);
  }, 240_000);
});
