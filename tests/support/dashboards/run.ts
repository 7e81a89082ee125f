import type { Dashboard, Variable } from '../../../src/dashboards/grafana.js';
import { parseDuration } from '../../../src/rules/config.js';
import type { PrometheusServer } from '../prometheus.js';
import { interpolate, type Selection, type TimeContext } from './interpolate.js';
import { targetsOf, variablesOf, type PanelTarget } from './targets.js';
import { resolveVariable, type ResolvedVariable, type VariableOptionValue } from './variables.js';

/**
 * One pass over a set of dashboards: each dashboard's variables resolved in order (a variable's query sees the
 * values chosen before it), then every panel target run as declared (instant at the range's end, or a range query
 * over the range at the step), with the rows it returned or its error.
 */

export interface PassOptions {
  readonly prom: PrometheusServer;
  /** The dashboard time range (epoch seconds). */
  readonly from: number;
  readonly to: number;
  /** Range queries' step and $__interval (seconds), raised to a target's min interval. */
  readonly stepSeconds: number;
  /** The datasource's scrape interval (seconds): $__rate_interval. */
  readonly scrapeSeconds: number;
  /** The value to select among a variable's options (called in declaration order). */
  choose(v: Variable, options: readonly VariableOptionValue[]): Selection;
  /**
   * An empty target is run again this many times, `retryDelayMs` apart, at the new now (default 0): on a loaded
   * machine a compressed collection can run late and leave a family unknown for a few seconds.
   */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Which empty targets to run again (default: all). */
  retryIf?(t: PanelTarget): boolean;
  /**
   * The start of the UTC day holding `t` as the rules see it (their day may be shifted: dayPhaseSeconds), for a
   * panel's relative time `now/d`. Default: the UTC day.
   */
  startOfDay?(t: number): number;
  /** Targets run at once (default 4). */
  readonly concurrency?: number;
}

export interface VariableResult extends ResolvedVariable {
  readonly uid: string;
  readonly selected?: Selection;
  readonly error?: string;
}

export interface TargetResult extends PanelTarget {
  /** The query sent (variables substituted). */
  readonly sent: string;
  /** Series returned (range: series with at least one point); 0 when empty or failed. */
  readonly rows: number;
  readonly error?: string;
  /** Runs it took (> 1: empty at first, see PassOptions.retries). */
  readonly attempts: number;
}

export interface PassResult {
  readonly variables: VariableResult[];
  readonly targets: TargetResult[];
}

/** `fn` over `items`, at most `n` at a time, results in the items' order. */
async function pool<T, U>(items: readonly T[], n: number, fn: (item: T) => Promise<U>): Promise<U[]> {
  const out: U[] = new Array<U>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function runTarget(prom: PrometheusServer, sent: string, t: PanelTarget, time: TimeContext): Promise<number> {
  if (t.instant) {
    const data = await prom.api<{ resultType: string; result: unknown[] }>('query', { query: sent, time: String(time.to) });
    return data.resultType === 'scalar' || data.resultType === 'string' ? 1 : data.result.length;
  }
  // The last step falls on `to` (a dashboard refreshed just after a step): what was recorded before now is shown.
  const step = time.intervalSeconds;
  const start = time.to - Math.floor((time.to - time.from) / step) * step;
  const data = await prom.api<{ result: { values: unknown[] }[] }>('query_range', {
    query: sent, start: String(start), end: String(time.to), step: String(step),
  });
  return data.result.filter((s) => s.values.length > 0).length;
}

/**
 * Where a panel's relative time (Grafana's timeFrom: `24h`, `now/d`, `now/w`, …) starts; never before the run
 * (the data begins there).
 */
function relativeFrom(timeFrom: string, o: PassOptions): number {
  if (timeFrom === 'now/d') return o.startOfDay ? o.startOfDay(o.to) : o.to - (o.to % 86_400);
  if (timeFrom.startsWith('now/')) return o.from;
  return o.to - parseDuration(timeFrom.replace(/^now-/, ''));
}

/** A target's time: the panel's relative time (shorter than the run only) and its min interval. */
function targetTime(t: PanelTarget, o: PassOptions): TimeContext {
  const from = t.timeFrom ? Math.max(o.from, relativeFrom(t.timeFrom, o)) : o.from;
  const step = Math.max(o.stepSeconds, t.interval ? parseDuration(t.interval) : 0);
  return { from, to: o.to, intervalSeconds: step, scrapeSeconds: o.scrapeSeconds };
}

export async function runDashboard(d: Dashboard, o: PassOptions): Promise<PassResult> {
  const time: TimeContext = { from: o.from, to: o.to, intervalSeconds: o.stepSeconds, scrapeSeconds: o.scrapeSeconds };
  const all = variablesOf(d);
  const selected = new Map<string, Selection>();
  const variables: VariableResult[] = [];
  for (const v of all) {
    try {
      const r = await resolveVariable(o.prom, v, all, selected, time);
      if (v.type === 'datasource') {
        variables.push({ ...r, uid: d.uid });
        continue;
      }
      const sel = o.choose(v, r.options);
      selected.set(v.name, sel);
      variables.push({ ...r, uid: d.uid, selected: sel });
    } catch (err) {
      variables.push({ name: v.name, type: v.type, query: v.query, options: [], uid: d.uid, error: message(err) });
    }
  }
  const runOne = async (t: PanelTarget): Promise<TargetResult> => {
    let result: TargetResult | undefined;
    for (let attempt = 1; attempt <= 1 + (o.retries ?? 0); attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, o.retryDelayMs ?? 1_000));
      let sent = t.expr;
      try {
        const tt = targetTime(t, attempt === 1 ? o : { ...o, to: Date.now() / 1000 });
        sent = interpolate(t.expr, all, selected, tt);
        result = { ...t, sent, rows: await runTarget(o.prom, sent, t, tt), attempts: attempt };
      } catch (err) {
        result = { ...t, sent, rows: 0, error: message(err), attempts: attempt };
      }
      if (result.error || result.rows > 0 || (o.retryIf && !o.retryIf(t))) break;
    }
    return result!;
  };
  return { variables, targets: await pool(targetsOf(d), o.concurrency ?? 4, runOne) };
}

/** The dashboards side by side (as several open browser tabs would query), results in the dashboards' order. */
export async function runDashboards(ds: readonly Dashboard[], o: PassOptions): Promise<PassResult> {
  const results = await Promise.all(ds.map((d) => runDashboard(d, o)));
  return { variables: results.flatMap((r) => r.variables), targets: results.flatMap((r) => r.targets) };
}

/** Stable key of a target across passes. */
export const targetKey = (t: PanelTarget): string => `${t.uid}#${t.panelId}/${t.refId}`;
