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
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startPrometheus, scrapeJob } from '../tests/support/prometheus.js';
import { machineCpuSeconds, startAll } from './support/all-process.js';
import { kpiQueries } from './support/kpi-queries.js';
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
  },
});
const root = new URL('../', import.meta.url).pathname;
const sites = Number(values.sites);
const minutes = Number(values.minutes);
const reps = Number(values.reps);
const rulesDir = resolve(root, values.rules);
const POLL_MS = 10_000;

const t0 = performance.now();
const progress = (msg: string): void => void process.stderr.write(`[bench:rules ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const load0 = loadavg();
progress(`${sites} sites: starting mist-wan-exporter all (simulator + collector + exporter)`);
const all = await startAll(sites);
const readyS = (performance.now() - t0) / 1000;
progress(`every family collected after ${readyS.toFixed(0)} s; starting Prometheus with ${rulesDir}/{rules,alerts}/*.yml`);
const prom = await startPrometheus({
  config: {
    global: { scrape_interval: values['scrape-interval'], evaluation_interval: '1m' },
    scrape_configs: [scrapeJob('mist-wan-exporter', all.url.replace('http://', ''), { interval: values['scrape-interval'], timeout: '25s' })],
    rule_files: [`${rulesDir}/rules/*.yml`, `${rulesDir}/alerts/*.yml`],
  },
  args: ['--storage.tsdb.retention.time=400d', '--query.timeout=5m'],
});
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

  let queries: RunResult['queries'] = [];
  try {
    const list = kpiQueries(resolve(root, values.kpis), heldS);
    progress(`timing ${list.length} docs/kpis.md period queries × ${reps}`);
    for (const q of list) queries.push({ ...q, timed: await timeQuery(prom.url, q.expr, reps) });
  } catch (err) {
    progress(`no period queries: ${(err as Error).message}`);
    queries = [];
  }

  const result: RunResult = {
    sites, minutes, heldS, readyS, scrapeInterval: values['scrape-interval'], reps,
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
    machine: `node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
  };
  process.exitCode = report(result);
} finally {
  await prom.stop();
  await all.stop();
}
progress(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
