/**
 * Rules benchmark (issue F, "cost at scale"): the generated recording rules and alerts on a real Prometheus
 * (Debian's 2.42) scraping the exporter fed by the simulator's 3,208-site org.
 *
 * Run: npm run bench:rules [-- --sites 3208 --minutes 8 --scrape-interval 30s --reps 5 --rules prometheus
 *                               --kpis docs/kpis.md]
 *
 * Two processes besides this one:
 *  - `mist-wan-exporter all` (support/all-process.ts): the built-in simulator, the collector on the real API budget
 *    and the exporter, as `npm run demo` runs them;
 *  - Prometheus (tests/support/prometheus.ts) scraping it every --scrape-interval, loading <rules>/rules/*.yml and
 *    <rules>/alerts/*.yml with their shipped group intervals (no Alertmanager: alerts are evaluated, not sent).
 * For --minutes after the first scrape it polls /api/v1/rules every 10 s and records every group evaluation, and
 * Prometheus' RSS. Then it counts series, forces the evaluation of groups whose interval is longer than the run
 * (the daily group: each rule's expression as an instant query, as is and with its once-a-day gate opened) and
 * times each docs/kpis.md period query. TMPDIR decides where Prometheus' TSDB goes.
 */
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startPrometheus, scrapeJob } from '../tests/support/prometheus.js';
import { machineCpuSeconds, startAll } from './support/all-process.js';
import { createBlocks, recordedSeries, writeHistory } from './support/history.js';
import { kpiQueries, undocumented } from './support/kpi-queries.js';
import { openGate, report, type RunResult } from './support/rules-report.js';
import { promSelf, RulesProbe, timeQuery } from './support/rules-probe.js';

const { values } = parseArgs({
  options: {
    sites: { type: 'string', default: '3208' },
    minutes: { type: 'string', default: '8' },
    'scrape-interval': { type: 'string', default: '30s' },
    reps: { type: 'string', default: '5' },
    rules: { type: 'string', default: 'prometheus' },
    kpis: { type: 'string', default: 'docs/kpis.md' },
    history: { type: 'string', default: '60' },
  },
});
const root = new URL('../', import.meta.url).pathname;
const sites = Number(values.sites);
const minutes = Number(values.minutes);
const reps = Number(values.reps);
const rulesDir = resolve(root, values.rules);
const historyMinutes = Number(values.history);
const POLL_MS = 10_000;

const t0 = performance.now();
const progress = (msg: string): void => void process.stderr.write(`[bench:rules ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const load0 = loadavg();
progress(`${sites} sites: starting mist-wan-exporter all (simulator + collector + exporter)`);
const all = await startAll(sites);
const readyS = (performance.now() - t0) / 1000;
const config = {
  global: { scrape_interval: values['scrape-interval'], evaluation_interval: '1m' },
  scrape_configs: [scrapeJob('mist-wan-exporter', all.url.replace('http://', ''), { interval: values['scrape-interval'], timeout: '25s' })],
  rule_files: [`${rulesDir}/rules/*.yml`, `${rulesDir}/alerts/*.yml`],
};
const args = ['--storage.tsdb.retention.time=400d', '--query.timeout=5m'];
const dataDir = join(tmpdir(), `bench-rules-tsdb-${process.pid}`);
let history: RunResult['history'] = null;
let prom: Awaited<ReturnType<typeof startPrometheus>>;
try {
  if (historyMinutes > 0) history = await backfill();
  progress(`every family collected after ${readyS.toFixed(0)} s; starting Prometheus with ${rulesDir}/{rules,alerts}/*.yml`);
  prom = await startPrometheus({ config, args, dataDir });
} catch (err) {
  await all.stop();
  throw err;
}

/**
 * Seed run (a Prometheus of its own, same rules, until its recorded series stop appearing) → those
 * series → `historyMinutes` of per-minute samples before now → TSDB blocks in the measured Prometheus' data dir.
 */
async function backfill(): Promise<NonNullable<RunResult['history']>> {
  progress('seed run: a Prometheus with the same rules until the number of recorded series stops growing');
  const seed = await startPrometheus({ config, args });
  let series;
  try {
    await seed.waitForTargetsUp({ timeoutMs: 120_000 });
    const probe = new RulesProbe(seed.api);
    const until = Date.now() + 10 * 60_000;
    // Rules read lagged raw data and each other, so series appear over the first evaluations: wait until their
    // count stops growing from one evaluation of the per-minute groups to the next (at least three of them).
    let lastEvals = 0;
    let lastCount = -1;
    for (;;) {
      await sleep(POLL_MS);
      await probe.poll();
      const evals = Math.min(...[...probe.groups.values()].filter((g) => g.interval <= 60).map((g) => g.evaluations.length));
      if (evals > lastEvals) {
        lastEvals = evals;
        const count = (await seed.query('count({__name__=~".+:.+"})'))[0]?.value ?? 0;
        // Stable: grew by under 0.5 % (a failover or a breach starting adds a few series now and then).
        if (evals >= 3 && count - lastCount <= 0.005 * count) break;
        lastCount = count;
      }
      if (Date.now() > until) throw new Error(`seed run: recorded series still growing after 10 min (${lastCount})`);
    }
    series = await recordedSeries(seed.url);
  } finally {
    await seed.stop();
  }
  const endSec = Math.floor(Date.now() / 1000);
  const file = join(tmpdir(), `bench-rules-history-${process.pid}.om`);
  progress(`writing ${historyMinutes} min of per-minute history for ${series.length} recorded series`);
  const samples = await writeHistory(series, file, endSec, historyMinutes);
  progress(`${samples} samples written; promtool tsdb create-blocks-from openmetrics`);
  await mkdir(dataDir, { recursive: true });
  await createBlocks(file, dataDir);
  await rm(file, { force: true });
  return { series: series.length, samples, minutes: historyMinutes, endSec };
}

try {
  await prom.waitForTargetsUp({ timeoutMs: 120_000 });
  const probe = new RulesProbe(prom.api);
  await probe.poll();
  if (probe.groups.size === 0) throw new Error(`Prometheus loaded no rule group from ${rulesDir}: ${prom.log().slice(-1_000)}`);
  const start = { at: Date.now(), machine: machineCpuSeconds(), all: all.cpuSeconds(), prom: (await promSelf(prom.url)).cpuSeconds };
  const loads: number[] = [];
  let maxRss = 0;
  progress(`${probe.groups.size} rule groups loaded; running ${minutes} min (rules polled every ${POLL_MS / 1000} s)`);
  let lastNote = Date.now();
  while (Date.now() - start.at < minutes * 60_000) {
    await sleep(POLL_MS);
    await probe.poll();
    maxRss = Math.max(maxRss, (await promSelf(prom.url)).rssBytes);
    loads.push(loadavg()[0]!);
    if (Date.now() - lastNote >= 60_000) {
      lastNote = Date.now();
      const evals = [...probe.groups.values()].map((g) => `${g.name} ${g.evaluations.length}`).join(', ');
      progress(`${((Date.now() - start.at) / 60_000).toFixed(0)} min: evaluations seen ${evals}; load ${loadavg()[0]!.toFixed(2)}`);
    }
  }
  const self = await promSelf(prom.url);
  const end = { at: Date.now(), machine: machineCpuSeconds(), all: all.cpuSeconds(), prom: self.cpuSeconds };
  const heldS = Math.floor((end.at - start.at) / 1000);
  // The longest window with data: the backfilled history (recorded series only) and the run.
  const windowS = history ? Math.floor(end.at / 1000) - (history.endSec - history.minutes * 60) : heldS;

  progress('counting series');
  const byName = await prom.query('count by (__name__) ({__name__=~".+:.+|ALERTS|ALERTS_FOR_STATE"})');
  const [scraped] = await prom.query('sum(scrape_samples_scraped{job="mist-wan-exporter"})');
  const [scrapeS] = await prom.query(`max(max_over_time(scrape_duration_seconds{job="mist-wan-exporter"}[${heldS}s]))`);
  const [circuits] = await prom.query('count(mist_wan_port_info)');
  const tsdb = await prom.api<{ headStats: { numSeries: number; chunkCount: number } }>('status/tsdb');

  const long = (await probe.current()).filter((g) => g.interval * 1000 > end.at - start.at);
  progress(`forcing ${long.length} group(s) whose interval is longer than the run: ${long.map((g) => `${g.name} (${g.interval} s)`).join(', ') || 'none'}`);
  const forced = [];
  for (const g of long) {
    const rules = [];
    for (const r of g.rules) {
      const opened = openGate(r.query);
      rules.push({ name: r.name, asIs: await timeQuery(prom.url, r.query, reps), opened: opened === r.query ? null : await timeQuery(prom.url, opened, reps) });
    }
    forced.push({ group: g.name, interval: g.interval, rules });
  }

  const list = kpiQueries();
  const missing = undocumented(list, resolve(root, values.kpis));
  if (missing.length > 0) throw new Error(`period queries read names ${values.kpis} does not document: ${missing.join(', ')}`);
  progress(`timing ${list.length} docs/kpis.md period queries × ${reps}`);
  const queries: RunResult['queries'] = [];
  for (const q of list) queries.push({ ...q, timed: await timeQuery(prom.url, q.expr, reps) });

  const result: RunResult = {
    sites, minutes, heldS, windowS, readyS, history, promStartSec: Math.floor(start.at / 1000), scrapeInterval: values['scrape-interval'], reps,
    groups: [...probe.groups.values()], forced, queries,
    recorded: byName.map((s) => ({ name: s.metric.__name__ ?? '', series: s.value })),
    scraped: scraped?.value ?? NaN, scrapeMaxS: scrapeS?.value ?? NaN, circuits: circuits?.value ?? NaN,
    headSeries: self.headSeries, tsdbHeadSeries: tsdb.headStats.numSeries, rssBytes: self.rssBytes, maxRssBytes: Math.max(maxRss, self.rssBytes),
    missedIterations: self.missedIterations,
    load: {
      start: load0, end: loadavg(), min1: Math.min(...loads), max1: Math.max(...loads),
      wallS: (end.at - start.at) / 1000,
      machineBusyS: end.machine.busy - start.machine.busy,
      promS: end.prom - start.prom,
      allS: end.all - start.all,
    },
    cores: availableParallelism(),
    machine: `node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
  };
  process.exitCode = report(result);
} finally {
  await prom.stop();
  await all.stop();
  await rm(dataDir, { recursive: true, force: true });
}
progress(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
