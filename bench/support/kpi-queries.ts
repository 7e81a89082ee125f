import { readFileSync } from 'node:fs';

/**
 * The period queries of docs/kpis.md (the KPI table and its "Periods" and "Time above threshold" sections),
 * written out for each window the doc names: rolling 3h / 12h / 24h, calendar day / week / month as a dashboard
 * runs them (`[$__range]`, `offset -1h`, instant query at the end of the range), and 13 months. The doc writes
 * them with placeholders (`[W]`, `[P]`, `X1h`), so the bench holds the concrete list and checks that every
 * recorded name in it is one docs/kpis.md documents (a renamed series fails the bench, not a silent skip).
 */
export interface KpiQuery {
  readonly kpi: string;
  readonly window: string;
  readonly expr: string;
}

const UP1H = 'site_circuit:mist_wan_up_minutes:sum1h';
const KNOWN1H = 'site_circuit:mist_wan_known_minutes:count1h';
const UP1D = 'site_circuit:mist_wan_up_minutes:sum1d';
const KNOWN1D = 'site_circuit:mist_wan_known_minutes:count1d';
const RUN = 'site_circuit:mist_wan_utilization_breach_run:seconds';
const RUN_MAX1H = 'site_circuit:mist_wan_utilization_breach_run:max_seconds1h';
const ROLLING: [string, string][] = [['3h', '2h59m59s'], ['12h', '11h59m59s'], ['24h', '23h59m59s']];
const CALENDAR: [string, string][] = [['day', '1d'], ['week', '7d'], ['month', '31d']];

/** `nowSeconds`: when the queries will run (instant queries at now), for the windows' start T0. */
export function kpiQueries(nowSeconds: number = Math.floor(Date.now() / 1000)): KpiQuery[] {
  const q: KpiQuery[] = [];
  const add = (kpi: string, window: string, expr: string): void => void q.push({ kpi, window, expr });
  add('Circuit status (Up in the hour)', 'hour', `${UP1H} > bool 0`);
  for (const [w, r] of ROLLING) add('Availability, clock hours', w, `sum_over_time(${UP1H}[${r}:1h]) / sum_over_time(${KNOWN1H}[${r}:1h])`);
  add('Availability, today so far (hours)', 'day', `sum_over_time(${UP1H}[1d:1h] offset -1h) / sum_over_time(${KNOWN1H}[1d:1h] offset -1h)`);
  for (const [w, r] of CALENDAR.slice(1)) add('Availability, finished days', w, `sum_over_time(${UP1D}[${r}] offset -1h) / sum_over_time(${KNOWN1D}[${r}] offset -1h)`);
  add('Availability', '13 months', `sum_over_time(${UP1D}[395d]) / sum_over_time(${KNOWN1D}[395d])`);
  add('Utilization, top offenders now', 'now', 'topk(20, site_circuit:mist_wan_utilization:ratio5m)');
  for (const [w, r] of [['24h', '23h59m59s'], ['week', '6d23h59m59s']]) add('Utilization, busiest hour', w!, `max_over_time(site_circuit:mist_wan_utilization:ratio1h[${r}:1h])`);
  for (const [w, r] of ROLLING) add('Time above (major), cumulative', w, `sum_over_time(site_circuit:mist_wan_utilization_breach:bool5m{level="major"}[${r}]) * 60`);
  add('Time above (major), cumulative', 'month', 'sum_over_time(site_circuit:mist_wan_utilization_breach:seconds1d{level="major"}[31d] offset -1h)');
  for (const [w, r, s] of [['3h', '2h59m59s', 10_800], ['24h', '23h59m59s', 86_400]] as const) {
    // The doc's rolling window for every circuit, by clock hours: the longest run within each clock hour (M), the
    // trailing hour now, the run at each clock hour clipped to the window's start T0, the current run clipped to W.
    // T0 = the window's start as a number, like Grafana's ${__from:date:seconds} (`time()` inside the subquery would
    // be each step's time, not the query's): the queries are built just before they are timed.
    const run = `${RUN}{level="major"}`;
    const t0 = String(nowSeconds - s);
    const clipped = `(${run} - clamp_min(${run} - (floor((timestamp(${run}) - ${t0}) / 60) + 1) * 60, 0))`;
    add('Time above (major), longest run, clock hours', w, `max without (part) (
      label_replace(max_over_time(${RUN_MAX1H}{level="major"}[${r}:1h]), "part", "hours", "", "")
      or label_replace(${RUN_MAX1H}{level="major"}, "part", "last hour", "", "")
      or label_replace(max_over_time(${clipped}[${r}:1h]), "part", "at hours", "", "")
      or label_replace(clamp_max(${run}, ${s}), "part", "now", "", ""))`);
  }
  add('Time above (major), longest run', 'week', 'max_over_time(site_circuit:mist_wan_utilization_breach_run:max_seconds1d{level="major"}[7d] offset -1h)');
  add('Flaps', '24h', 'sum_over_time(site_circuit:mist_wan_flaps:increase1m[23h59m59s])');
  add('Flaps', 'week', 'sum_over_time(site_circuit:mist_wan_flaps:sum1d[7d] offset -1h)');
  for (const [fn, name] of [['avg_over_time', 'avg'], ['max_over_time', 'max'], ['quantile_over_time(0.95,', 'p95']] as const) {
    const open = fn.endsWith(',') ? `${fn} ` : `${fn}(`;
    add(`Latency ${name}, per circuit`, '24h', `${open}site_circuit:mist_wan_latency:seconds1m[23h59m59s])`);
  }
  add('Loss avg, per site', '24h', 'avg by (org_id, site_id) (avg_over_time(site_circuit:mist_wan_loss:ratio1m[23h59m59s]))');
  add('Failovers per gateway', 'day', 'sum by (org_id, site_id, mac) (site_circuit:mist_wan_failovers:sum1d)');
  add('Failovers', 'week', 'sum_over_time(site_circuit:mist_wan_failovers:sum1d[7d] offset -1h)');
  add('Failovers', '13 months', 'sum_over_time(site_circuit:mist_wan_failovers:sum1d[395d])');
  add('Time on secondary', '24h', 'sum_over_time(site_gateway:mist_wan_on_secondary:bool1m[23h59m59s]) * 60');
  add('Sites down now', 'now', 'count by (org_id) (site:mist_wan_down:bool1m == 1)');
  add('Chronic offenders, latest', 'day', 'last_over_time(site_circuit:mist_wan_chronic_offender:bool1d[1d]) == 1');
  return q;
}

/** Recorded names the queries read that docs/kpis.md does not mention (empty when the doc and the bench agree). */
export function undocumented(queries: readonly KpiQuery[], docFile: string): string[] {
  const doc = readFileSync(docFile, 'utf8');
  const names = new Set(queries.flatMap((q) => q.expr.match(/[a-z_]+:[a-z_0-9]+:[a-z_0-9]+/g) ?? []));
  return [...names].filter((n) => !doc.includes(n));
}
