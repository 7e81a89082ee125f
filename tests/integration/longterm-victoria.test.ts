import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadKpiConfig, renderRuleFiles } from '../../src/rules/index.js';
import { duration } from '../../src/rules/promql.js';
import { parseDuration } from '../../src/rules/config.js';
import { startFastPipeline, type FastPipeline } from '../support/fast-pipeline.js';
import { keepRegex, keptRawNames, longtermConfig, recordedNamesIn, ROOT, thirteenMonthQueries, type RemoteWrite } from '../support/longterm.js';
import { runTool } from '../support/prom-cli.js';
import { startPrometheus, type PrometheusServer, type PromSample } from '../support/prometheus.js';
import { captureLog } from '../support/redis-store.js';
import { startVictoriaMetrics, type VictoriaMetrics, type VmSeries } from '../support/victoria-metrics.js';

/**
 * Long-term storage, proven with the real engines: the real pipeline (simulator → collector → Redis → exporter),
 * a real Prometheus 2.42 running prometheus/long-term/prometheus.yml (its remote_write entry unchanged but for the
 * url) and the KPI rules, and a real VictoriaMetrics 1.79 receiving its remote_write, time-compressed 30× like the
 * other rule rigs (alerting-rig.ts): scrape 30 s → 1 s, the rules generated with timeScale 1/30.
 *
 * What it shows:
 * (a) every recorded series reaches VictoriaMetrics, the daily series docs/kpis.md's 13-month queries read
 *     included, recorded live by the day group and sent by remote_write;
 * (b) no raw series does, but for the two info series the long-range panels join; a second, unfiltered queue
 *     (label longterm_queue="all") in the same run shows raw series would arrive without the keep rule (the check
 *     can fail) and gives the "everything" volume to compare;
 * (c) docs/kpis.md's 13-month queries (extracted from the doc) return the same values on VictoriaMetrics as on
 *     Prometheus over the same data, non-empty, every daily sample of the 13 months counted, equal to the sums;
 * (c') the rolling (per-minute series) and clock-hour (subquery over the trailing-hour series) forms agree too;
 * (d) VictoriaMetrics' -retentionPeriod=13 (months of 31 days: 403 days) keeps a sample 400 days old and drops
 *     one 410 days old.
 *
 * 13 months without waiting a year, and what that proves: a daily history of the circuits (15 days spread over
 * the 396 real days before the run) is written to both stores directly — to Prometheus as TSDB blocks
 * (promtool tsdb create-blocks-from openmetrics, Prometheus run with --storage.tsdb.retention.time=400d), to
 * VictoriaMetrics through /api/v1/import with the Prometheus' external labels, as if its remote_write had sent
 * them over the past year. remote_write cannot carry them: Prometheus 2.42 forwards only samples newer than its
 * start and accepts no sample older than its head. So the history proves retention and the 13-month query
 * semantics over identical data, and the live day sample proves the forwarding.
 *
 * Test-only changes, all stated:
 * - the day group (mist_wan_day) evaluates every grain and its once-a-day gate is the one grain after a chosen
 *   "midnight" M a few seconds after Prometheus starts (`(time() + P) % day < grain`; shipped: hourly
 *   evaluations gated to 00:00–01:00 UTC). A compressed day is 48 min and a clock hour 2 min: waiting for a
 *   real compressed midnight would not fit the budget. The expressions are unchanged.
 * - the day group reads the hourly series at clock hours: the 24 compressed clock hours before the run are
 *   written to both stores too (the trailing-hour sums a day-old Prometheus would hold), so the live daily sample
 *   has a whole day to sum.
 * - the KPI config has fresh_intervals 3 (docs/kpis.md: compressed runs); one exporter replica.
 */

const SCALE = 1 / 30;
const GRAIN = 60 * SCALE;
const HOUR = 3600 * SCALE;
const DAY = 24 * HOUR;
const REAL_DAY = 86_400;
/**
 * The days of daily history before the run (1 = the day before): spread over 13 months, sparse (each day is a 2 h
 * TSDB block promtool 2.42 writes and Prometheus then compacts; 396 of them took 6.5 s to write alone). Up to 394
 * days back a sample is inside a `[395d]` window read after the live day sample; 395 sits on its edge at the history's
 * midnight (the boundary check below); 396 is outside.
 */
const HISTORY_DAYS = [1, 2, 3, 7, 30, 31, 90, 180, 270, 364, 365, 393, 394, 395, 396] as const;
/** Daily samples per circuit in a `[395d]` window read just after the live day sample. */
const IN_WINDOW = HISTORY_DAYS.filter((d) => d <= 394).length + 1;
/** "Midnight" of the day group: this long after Prometheus is up. */
const MIDNIGHT_AFTER_S = 6;
/** The daily series docs/kpis.md's 13-month queries read, and the hourly ones the day group sums for them. */
const CONTROL_LABEL = 'longterm_queue';
const TOLERANCE = 1e-9;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Date.now() / 1000;
const keyOf = (m: Record<string, string>, drop: readonly string[]): string =>
  JSON.stringify(Object.entries(m).filter(([k]) => k !== '__name__' && !drop.includes(k)).sort(([a], [b]) => a.localeCompare(b)));

type Circuit = Record<'org_id' | 'site_id' | 'mac' | 'port_id', string>;

/** The circuits the exporter serves (mist_wan_port_info), once it has served some. */
async function circuitsOf(exporterUrl: string): Promise<Circuit[]> {
  for (const until = Date.now() + 30_000; ;) {
    const text = await (await fetch(`${exporterUrl}/metrics`)).text();
    const seen = new Map<string, Circuit>();
    for (const line of text.split('\n')) {
      if (!line.startsWith('mist_wan_port_info{')) continue;
      const labels = Object.fromEntries([...line.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      const c: Circuit = { org_id: labels.org_id!, site_id: labels.site_id!, mac: labels.mac!, port_id: labels.port_id! };
      seen.set(JSON.stringify(c), c);
    }
    if (seen.size > 0) return [...seen.values()];
    if (Date.now() > until) throw new Error('the exporter served no mist_wan_port_info within 30 s');
    await sleep(500);
  }
}

/** Deterministic history values: day d (1 = yesterday) of circuit i. */
const history = (i: number, d: number) => {
  const known = 1440 - ((d * 13 + i * 7) % 90);
  return { up: known - ((d * 5 + i) % 40), known, failovers: (d + i) % 7 === 0 ? 2 : (d + i) % 3 === 0 ? 1 : 0 };
};
/** The hour the day group sums, k clock hours before the run: minutes 0–60. */
const hourly = (i: number, k: number) => {
  const known = 60 - ((k + i) % 4);
  return { up: known - ((k * 3 + i) % 5), known, failovers: (k + i) % 9 === 0 ? 1 : 0 };
};

const DAILY = { up: 'site_circuit:mist_wan_up_minutes:sum1d', known: 'site_circuit:mist_wan_known_minutes:count1d', failovers: 'site_circuit:mist_wan_failovers:sum1d' } as const;
const HOURLY = { up: 'site_circuit:mist_wan_up_minutes:sum1h', known: 'site_circuit:mist_wan_known_minutes:count1h', failovers: 'site_circuit:mist_wan_failovers:sum1h' } as const;

function openMetrics(families: Map<string, { labels: Record<string, string>; points: [number, number][] }[]>): string {
  const label = (l: Record<string, string>) => Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(',');
  const out: string[] = [];
  for (const [name, series] of families) {
    out.push(`# TYPE ${name} gauge`);
    for (const s of series) for (const [t, v] of s.points) out.push(`${name}{${label(s.labels)}} ${v} ${t}`);
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}

/** The day group evaluated every grain, gated to the one grain after M (see the header); nothing else changed. */
function dayGroupAt(text: string, midnight: number): string {
  const phase = (DAY - (midnight % DAY)) % DAY;
  const gate = `(vector(time() % ${DAY}) < ${HOUR})`;
  if (!text.includes(gate) || !text.includes(`interval: ${duration(HOUR)}`)) throw new Error(`the day group's gate or interval changed: ${text.slice(0, 600)}`);
  return text.replace(`interval: ${duration(HOUR)}`, `interval: ${duration(GRAIN)}`).replaceAll(gate, `(vector((time() + ${phase}) % ${DAY}) < ${GRAIN})`);
}

const scale = (d: unknown): string => duration(Math.max(1, Math.round(parseDuration(String(d)) * SCALE)));

interface QueueMetrics { samples: number; bytes: number }

async function queueMetrics(prom: PrometheusServer): Promise<Record<string, QueueMetrics>> {
  const text = await (await fetch(`${prom.url}/metrics`)).text();
  const out: Record<string, QueueMetrics> = {};
  for (const line of text.split('\n')) {
    const m = /^prometheus_remote_storage_(samples_total|bytes_total)\{[^}]*remote_name="([^"]+)"[^}]*\} (\S+)$/.exec(line);
    if (!m) continue;
    const q = (out[m[2]!] ??= { samples: 0, bytes: 0 });
    if (m[1] === 'samples_total') q.samples += Number(m[3]);
    else q.bytes += Number(m[3]);
  }
  return out;
}

describe('long-term storage: Prometheus remote_write → VictoriaMetrics (real engines, 30× faster)', () => {
  const { log } = captureLog('error');
  const config = longtermConfig();
  const shippedQueue = config.remote_write?.[0] as RemoteWrite;
  const externalLabels = config.global?.external_labels ?? {};
  const dropKeys = [...Object.keys(externalLabels), CONTROL_LABEL];
  const queries = thirteenMonthQueries();
  let pipeline: FastPipeline;
  let vm: VictoriaMetrics;
  let prom: PrometheusServer;
  let dataDir: string;
  let circuits: Circuit[];
  let promStart: number;
  let midnight: number;
  /** The history's day boundary: daily samples at historyMidnight − d days, d in HISTORY_DAYS. */
  let historyMidnight: number;
  /** Recorded names are compared up to this time (everything before it has been sent). */
  let namesUntil: number;
  let measured: { seconds: number; queues: Record<string, QueueMetrics>; series: { raw: number; info: number; recorded: number; daily: number } };
  const t0 = Date.now();
  const timings: string[] = [];
  const mark = (what: string) => timings.push(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  beforeAll(async () => {
    pipeline = await startFastPipeline({ redisUrl: inject('redisUrl'), timeScale: SCALE, log, sim: { sites: 6 } });
    vm = await startVictoriaMetrics({ retentionPeriod: '13' });
    circuits = await circuitsOf(pipeline.exporters[0]!.url);
    mark(`pipeline up, ${circuits.length} circuits`);

    // The history: the daily series on HISTORY_DAYS real days back, the hourly ones on the last 24 compressed clock hours.
    const built = now();
    const lastHour = Math.floor((built - 1) / HOUR) * HOUR;
    historyMidnight = Math.ceil(built / GRAIN) * GRAIN;
    const firstMidnight = historyMidnight;
    const daily = new Map<string, { labels: Record<string, string>; points: [number, number][] }[]>();
    const hourlyFam = new Map<string, { labels: Record<string, string>; points: [number, number][] }[]>();
    const imports: VmSeries[] = [];
    for (const kind of ['up', 'known', 'failovers'] as const) {
      daily.set(DAILY[kind], circuits.map((c, i) => ({ labels: c, points: [...HISTORY_DAYS].reverse().map((d) => [firstMidnight - d * REAL_DAY, history(i, d)[kind]] as [number, number]) })));
      hourlyFam.set(HOURLY[kind], circuits.map((c, i) => ({ labels: c, points: Array.from({ length: 24 }, (_, j) => {
        const k = 23 - j;
        return [lastHour - k * HOUR, hourly(i, k)[kind]] as [number, number];
      }) })));
      // Both stores get the same history (as if remote_write had carried it over the past year and day).
      for (const s of [...daily.get(DAILY[kind])!, ...hourlyFam.get(HOURLY[kind])!]) {
        const name = daily.get(DAILY[kind])!.includes(s) ? DAILY[kind] : HOURLY[kind];
        imports.push({ metric: { __name__: name, ...s.labels, ...externalLabels }, values: s.points.map((p) => p[1]), timestamps: s.points.map((p) => p[0] * 1000) });
      }
    }
    // Retention probes (VictoriaMetrics only): 400 days old is inside 13 × 31 days, 410 is not.
    imports.push({ metric: { __name__: 'longterm_probe:retention:sum1d', probe: 'kept' }, values: [1], timestamps: [(firstMidnight - 400 * REAL_DAY) * 1000] });
    imports.push({ metric: { __name__: 'longterm_probe:retention:sum1d', probe: 'expired' }, values: [1], timestamps: [(firstMidnight - 410 * REAL_DAY) * 1000] });
    await vm.importSeries(imports);

    dataDir = await mkdtemp(join(tmpdir(), 'longterm-tsdb-'));
    const om = join(dataDir, '..', `${dataDir.split('/').pop()}.om`);
    await writeFile(om, openMetrics(new Map([...daily, ...hourlyFam])));
    const blocks = await runTool('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', om, dataDir]);
    await rm(om, { force: true });
    expect(blocks.code, blocks.output).toBe(0);
    mark('history written (blocks, import)');

    // prometheus/long-term/prometheus.yml for the rig: intervals scaled, targets the test's exporter, no
    // Alertmanager; its remote_write entry as shipped but for the url, plus the unfiltered control queue.
    const rig = structuredClone(config) as typeof config & { alerting?: unknown; rule_files?: string[] };
    for (const k of ['scrape_interval', 'scrape_timeout', 'evaluation_interval']) rig.global![k] = scale(rig.global![k]);
    delete rig.alerting;
    rig.rule_files = ['rules/*.yml'];
    for (const job of rig.scrape_configs ?? []) {
      for (const k of ['scrape_interval', 'scrape_timeout']) if (job[k] !== undefined) job[k] = scale(job[k]);
      job.static_configs = [{ targets: [...pipeline.exporterTargets] }];
    }
    rig.remote_write = [
      { ...shippedQueue, url: vm.writeUrl },
      { name: 'control-all', url: vm.writeUrl, queue_config: shippedQueue.queue_config, write_relabel_configs: [{ target_label: CONTROL_LABEL, replacement: 'all' }] },
    ];
    const kpi = { ...loadKpiConfig(`${ROOT}prometheus/kpi-config.yml`), fresh_intervals: 3 };
    const rendered = new Map([...renderRuleFiles(kpi, { timeScale: SCALE })].filter(([path]) => path.startsWith('rules/')));
    const dayFile = 'rules/mist-wan-day.yml';
    // First with a midnight half a compressed day away (the day group records nothing), then, once Prometheus is
    // up, M = MIDNIGHT_AFTER_S from then, and a reload (groups keep their state and phase).
    const files = Object.fromEntries([...rendered].map(([path, text]) => [path, path === dayFile ? dayGroupAt(text, Math.ceil((now() + DAY / 2) / GRAIN) * GRAIN) : text]));
    promStart = now();
    prom = await startPrometheus({ config: rig, files, dataDir, args: ['--storage.tsdb.retention.time=400d', '--web.enable-lifecycle'] });
    midnight = Math.ceil((now() + MIDNIGHT_AFTER_S) / GRAIN) * GRAIN;
    await writeFile(join(prom.dir, dayFile), dayGroupAt(rendered.get(dayFile)!, midnight));
    const reload = await fetch(`${prom.url}/-/reload`, { method: 'POST' });
    expect(reload.status, await reload.text()).toBe(200);
    expect(midnight - now(), 'reloaded before the chosen midnight').toBeGreaterThan(1);
    // The history sits at whole days before historyMidnight, the live day sample at M (less than a day after it).
    mark('Prometheus up');

    // The live day sample in Prometheus, then in VictoriaMetrics from the shipped queue.
    // (last_over_time: the next evaluation, outside the gate, marks the daily series stale at once.)
    await prom.waitFor(`last_over_time(${DAILY.up}[1h])`, (s) => s.length >= circuits.length, (midnight - now() + 20) * 1000);
    mark('day group recorded');
    const liveDaily = `${DAILY.up}{${CONTROL_LABEL}=""}`;
    for (const until = Date.now() + 30_000; ;) {
      await vm.forceFlush();
      if ((await vm.exportSeries(liveDaily, Math.floor(promStart))).length >= circuits.length) break;
      if (Date.now() > until) throw new Error(`VictoriaMetrics has no live ${DAILY.up} 30 s after Prometheus recorded it; Prometheus log: ${prom.log().slice(-2_000)}`);
      await sleep(500);
    }
    mark('daily series in VictoriaMetrics');
    // Volume: both queues over a steady window after the daily burst (the daily samples are once a day).
    await sleep(6_000);
    const a = { t: now(), q: await queueMetrics(prom) };
    namesUntil = Math.floor(a.t);
    await sleep(16_000);
    const b = { t: now(), q: await queueMetrics(prom) };
    const count = async (sel: string) => (await prom.query(`count(${sel})`))[0]?.value ?? 0;
    measured = {
      seconds: b.t - a.t,
      queues: Object.fromEntries(Object.keys(b.q).map((k) => [k, { samples: b.q[k]!.samples - (a.q[k]?.samples ?? 0), bytes: b.q[k]!.bytes - (a.q[k]?.bytes ?? 0) }])),
      // Series sampled at each interval now (the daily series are stale between their once-a-day samples).
      series: {
        raw: await count('{__name__=~".+", __name__!~".+:.+"}'),
        info: await count('{__name__=~"mist_site_info|mist_wan_port_info"}'),
        recorded: await count('{__name__=~".+:.+"}'),
        daily: (await prom.api<unknown[]>('series', { 'match[]': '{__name__=~".+:.+1d"}', start: String(Math.floor(promStart)) })).length,
      },
    };
    await vm.forceFlush();
    mark('volume measured');
  }, 120_000);

  afterAll(async () => {
    console.log(`longterm-victoria timings (wall, since the file started):\n  ${timings.join('\n  ')}`);
    await prom?.stop();
    await vm?.stop();
    await pipeline?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('docs/kpis.md states the 13-month queries this test runs', () => {
    expect(queries.length, queries.join('\n')).toBeGreaterThanOrEqual(2);
    const read = new Set(queries.flatMap(recordedNamesIn));
    expect([...read].sort()).toEqual(Object.values(DAILY).sort());
  });

  it('(a) every recorded series Prometheus made reaches VictoriaMetrics, the daily ones the 13-month queries read included', async () => {
    const recorded = (await prom.api<string[]>('label/__name__/values', { start: String(Math.floor(promStart)), end: String(namesUntil), 'match[]': '{__name__=~".+:.+"}' }));
    expect(recorded.length).toBeGreaterThan(50);
    const inVm = new Set(await vm.names(`{__name__=~".+:.+", ${CONTROL_LABEL}=""}`));
    expect(recorded.filter((n) => !inVm.has(n)), 'recorded names missing in VictoriaMetrics').toEqual([]);
    // The daily names came live (samples after Prometheus started), one series per circuit, the external label on.
    for (const name of Object.values(DAILY)) {
      const live = await vm.exportSeries(`${name}{${CONTROL_LABEL}=""}`, Math.floor(promStart));
      expect(live.length, name).toBeGreaterThanOrEqual(circuits.length);
      for (const s of live) expect(s.metric.prometheus, name).toBe(externalLabels.prometheus);
    }
  });

  it('(b) no raw series reaches VictoriaMetrics but the info series the long-range panels join; without the keep rule they would', async () => {
    const keep = keepRegex(shippedQueue);
    const names = await vm.names(`{${CONTROL_LABEL}=""}`);
    const raw = names.filter((n) => !n.includes(':'));
    expect(raw.sort()).toEqual(keptRawNames(shippedQueue).sort());
    expect(names.filter((n) => !keep.test(n))).toEqual([]);
    // The control queue (no keep rule) in the same run: the raw series Prometheus scraped arrive there.
    const all = await vm.names(`{${CONTROL_LABEL}="all"}`);
    const rawAll = all.filter((n) => !n.includes(':'));
    expect(rawAll).toEqual(expect.arrayContaining(['mist_wan_port_up', 'mist_gateway_up', 'mist_wan_port_receive_bytes_total', 'up']));
    expect(rawAll.filter((n) => !keep.test(n)).length, 'raw names the keep rule drops').toBeGreaterThan(20);
  });

  it.each(thirteenMonthQueries())('(c) %s: the same values on VictoriaMetrics as on Prometheus, every daily sample of 13 months', async (expr) => {
    const at = now();
    const fromProm = await prom.query(expr, at);
    const fromVm = (await vm.query(expr, at)).filter((s) => s.metric[CONTROL_LABEL] === undefined);
    // Every circuit with history (a circuit first seen live may add a series: compared too).
    expect(fromProm.length, `${expr} on Prometheus`).toBeGreaterThanOrEqual(circuits.length);
    expect(fromVm.length, `${expr} on VictoriaMetrics`).toBe(fromProm.length);
    const promBy = new Map(fromProm.map((s: PromSample) => [keyOf(s.metric, dropKeys), s.value]));
    for (const c of circuits) expect(promBy.has(keyOf(c, [])), keyOf(c, [])).toBe(true);
    for (const s of fromVm) {
      const p = promBy.get(keyOf(s.metric, dropKeys));
      expect(p, `${keyOf(s.metric, dropKeys)} on Prometheus`).toBeDefined();
      expect(Math.abs(s.value - p!), `${expr} ${keyOf(s.metric, dropKeys)}: VM ${s.value} vs Prometheus ${p}`).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(p!)));
    }
    // Each name the query reads: the history's days inside the window + the live day, per circuit, in both; the sum exact.
    for (const name of recordedNamesIn(expr)) {
      const count = `count_over_time(${name}[395d])`;
      for (const [engine, rows] of [['Prometheus', await prom.query(count, at)], ['VictoriaMetrics', (await vm.query(count, at)).filter((s) => s.metric[CONTROL_LABEL] === undefined)]] as const) {
        const by = new Map(rows.map((r) => [keyOf(r.metric, dropKeys), r.value]));
        expect(circuits.map((c) => by.get(keyOf(c, []))), `${count} on ${engine}`).toEqual(circuits.map(() => IN_WINDOW));
      }
      const kind = (Object.keys(DAILY) as (keyof typeof DAILY)[]).find((k) => DAILY[k] === name)!;
      const live = new Map((await prom.query(`last_over_time(${name}[1h])`, at)).map((s) => [keyOf(s.metric, dropKeys), s.value]));
      const sums = new Map((await vm.query(`sum_over_time(${name}[395d])`, at)).filter((s) => s.metric[CONTROL_LABEL] === undefined).map((s) => [keyOf(s.metric, dropKeys), s.value]));
      circuits.forEach((c, i) => {
        const key = keyOf(c, []);
        let expected = live.get(key)!;
        for (const d of HISTORY_DAYS) if (d <= 394) expected += history(i, d)[kind];
        expect(live.get(key), `${name} live ${key}`).toBeDefined();
        expect(sums.get(key), `${name} ${key}`).toBeCloseTo(expected, 6);
      });
    }
  });

  it('(c) the live day sample sums the day before it (the 24 clock hours of the hourly series), in both stores', async () => {
    const at = now();
    const live = await prom.query(`last_over_time(${DAILY.known}[1h])`, at);
    const fromVm = new Map((await vm.query(`last_over_time(${DAILY.known}[1h])`, at)).filter((s) => s.metric[CONTROL_LABEL] === undefined).map((s) => [keyOf(s.metric, dropKeys), s.value]));
    expect(live.length).toBeGreaterThanOrEqual(circuits.length);
    circuits.forEach((c, i) => {
      let day = 0;
      for (let k = 0; k < 24; k++) day += hourly(i, k).known;
      const v = live.find((s) => keyOf(s.metric, dropKeys) === keyOf(c, []))?.value;
      // The 24 written hours; the oldest may have left the window and a live clock hour (a partial trailing hour
      // of the hour group) come in: within one hour of it.
      expect(v, keyOf(c, [])).toBeGreaterThanOrEqual(day - 60);
      expect(v, keyOf(c, [])).toBeLessThanOrEqual(day + 60);
      expect(fromVm.get(keyOf(c, [])), keyOf(c, [])).toBe(v);
    });
  });

  it('range boundaries differ: at exactly 395 days after a daily sample, Prometheus 2.42 counts it, VictoriaMetrics does not', async () => {
    // A history sample sits at firstMidnight − 395 d; an instant query exactly 395 d later is at a day boundary
    // of the history, before the live sample. Prometheus 2.x ranges include their left end, MetricsQL's do not.
    const t395 = historyMidnight;
    const expr = `count_over_time(${DAILY.up}[395d])`;
    const [p] = await prom.query(expr, t395);
    const [v] = (await vm.query(expr, t395)).filter((s) => s.metric[CONTROL_LABEL] === undefined);
    console.log(`boundary at ${t395}: Prometheus counts ${p?.value}, VictoriaMetrics ${v?.value} samples in [395d]`);
    expect(p!.value - v!.value).toBe(1);
  });

  it.each([
    ['rolling window over a per-minute series', `sum_over_time(site_circuit:mist_wan_up:bool1m[${duration(10 * GRAIN - 1)}])`],
    ['clock hours over a trailing-hour series (subquery)', `sum_over_time(site_circuit:mist_wan_up_minutes:sum1h[${duration(DAY - 1)}:${duration(HOUR)}])`],
  ])('live forms agree too: %s', async (_what, expr) => {
    const at = now() - 5;
    const p = new Map((await prom.query(expr, at)).map((r) => [keyOf(r.metric, dropKeys), r.value]));
    const v = new Map((await vm.query(expr, at)).filter((r) => r.metric[CONTROL_LABEL] === undefined).map((r) => [keyOf(r.metric, dropKeys), r.value]));
    expect(p.size, expr).toBeGreaterThan(0);
    const diff = [...p].filter(([k, x]) => v.get(k) !== x).map(([k, x]) => `${k}: Prometheus ${x}, VictoriaMetrics ${v.get(k)}`);
    console.log(`${expr} at ${at}: ${p.size} series, ${diff.length} differ${diff.length ? `:\n  ${diff.slice(0, 5).join('\n  ')}` : ''}`);
    expect(diff).toEqual([]);
    expect(v.size).toBe(p.size);
  });

  it('(d) VictoriaMetrics -retentionPeriod=13 keeps 400 days and drops 410', async () => {
    const probes = await vm.exportSeries('longterm_probe:retention:sum1d', Math.floor(now() - 420 * REAL_DAY));
    expect(probes.map((s) => s.metric.probe)).toEqual(['kept']);
  });

  it('measures the remote_write volume: recorded-only (shipped keep rule) against everything', () => {
    const shipped = measured.queues[shippedQueue.name ?? ''];
    const all = measured.queues['control-all'];
    expect(shipped?.samples, JSON.stringify(measured)).toBeGreaterThan(0);
    expect(all?.bytes, JSON.stringify(measured)).toBeGreaterThan(shipped!.bytes);
    const { raw, info, recorded, daily } = measured.series;
    expect(raw).toBeGreaterThan(info);
    // Samples a second at the production intervals (raw and info series scraped every 30 s, recorded series every
    // minute, daily ones once a day), from the series Prometheus holds; scaled by circuits to 3,208 sites.
    const k = 7_592 / circuits.length;
    // The daily groups record only part of their series here (most need a day of hourly input the run has not):
    // their count at scale is docs/kpis.md's (Cost: 326,000 at 7,592 circuits), ~4 samples/s either way.
    const DAILY_AT_SCALE = 326_000;
    const recordedOnly = (recorded / 60 + info / 30) * k + DAILY_AT_SCALE / 86_400;
    const everything = (recorded / 60 + raw / 30) * k + DAILY_AT_SCALE / 86_400;
    const lean = (info / 30) * k + DAILY_AT_SCALE / 86_400;
    // Bytes on the wire per sample (snappy-compressed protobuf), measured on each queue over the window; the
    // counters move by whole requests (≤ 2,000 samples), so the compressed rates are rough, the ratio is not.
    const bps = (q: QueueMetrics) => q.bytes / q.samples;
    const rate = (q: QueueMetrics) => q.samples / measured.seconds;
    console.log([
      `remote_write, ${circuits.length} circuits, 1/30 compressed, window ${measured.seconds.toFixed(1)} s:`,
      `  series: raw ${raw} (info ${info}), recorded per grain ${recorded}, daily ${daily}`,
      `  measured queue rates (compressed): recorded-only ${rate(shipped!).toFixed(0)} samples/s at ${bps(shipped!).toFixed(1)} B/sample; everything ${rate(all!).toFixed(0)} samples/s at ${bps(all!).toFixed(1)} B/sample`,
      `  3,208 sites (7,592 circuits), production intervals: recorded-only ${recordedOnly.toFixed(0)} samples/s ≈ ${(recordedOnly * bps(shipped!) / 1024).toFixed(0)} KiB/s; `
        + `everything ${everything.toFixed(0)} samples/s ≈ ${(everything * bps(all!) / 1024).toFixed(0)} KiB/s (one exporter replica scraped); lean (daily + info) ${lean.toFixed(1)} samples/s`,
    ].join('\n'));
  });
});
