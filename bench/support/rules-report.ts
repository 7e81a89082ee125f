import type { KpiQuery } from './kpi-queries.js';
import type { GroupRecord, Timed } from './rules-probe.js';

/** What one bench:rules run measured; printed by `report`. */
export interface RunResult {
  sites: number;
  minutes: number;
  /** Seconds of data the run holds (first scrape → end of the measured window). */
  heldS: number;
  /** Seconds of the longest window with data (history + run), what `$__range` is bound to. */
  windowS: number;
  readyS: number;
  /** Backfilled per-minute history of the recorded series (null: none). */
  history: { series: number; samples: number; minutes: number; endSec: number } | null;
  /** When the measured window started (first poll after the targets were up), Unix seconds. */
  promStartSec: number;
  scrapeInterval: string;
  reps: number;
  groups: GroupRecord[];
  forced: { group: string; interval: number; rules: { name: string; asIs: Timed; opened: Timed | null }[] }[];
  queries: (KpiQuery & { timed: Timed })[];
  recorded: { name: string; series: number }[];
  scraped: number;
  scrapeMaxS: number;
  circuits: number;
  headSeries: number;
  tsdbHeadSeries: number;
  rssBytes: number;
  maxRssBytes: number;
  missedIterations: number;
  load: { start: number[]; end: number[]; min1: number; max1: number; wallS: number; machineBusyS: number; promS: number; allS: number };
  machine: string;
  cores: number;
}

const GOAL_SHARE = 0.1;

/**
 * A once-a-day gate (`… and on() (vector(time()) % DAY < HOUR)` or any form reading `time() % DAY`) opened: every
 * `time()` becomes the start of the current UTC day, so the gate passes and the rule does its recording-day work.
 * Returns the expression unchanged when it has no such gate.
 */
export function openGate(expr: string): string {
  const day = /time\(\)\)?\s*%\s*([0-9.e+]+)/.exec(expr)?.[1];
  if (!day) return expr;
  return expr.replace(/time\(\)/g, `(time() - time() % ${day})`);
}

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]): number => (xs.length === 0 ? NaN : sorted(xs)[Math.floor((xs.length - 1) / 2)]!);
const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const ms = (s: number): string => (s * 1000 < 10 ? (s * 1000).toFixed(2) : (s * 1000).toFixed(0));
const pct = (x: number): string => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`;
const mib = (b: number): string => (b / 2 ** 20).toFixed(0);

function table(head: string[], rows: string[][], right: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

/** Summary of a timed query: median wall ms (Prometheus' own eval ms), min–max wall. */
function timing(t: Timed): string {
  if (t.error) return `error: ${t.error.slice(0, 120)}`;
  const ev = t.evalMs.length ? ` (eval ${median(t.evalMs).toFixed(1)})` : '';
  return `${median(t.wallMs).toFixed(1)}${ev}; ${Math.min(...t.wallMs).toFixed(1)}–${Math.max(...t.wallMs).toFixed(1)}`;
}

/** Prints the run's tables and verdicts; returns the exit code (1 when a group's evaluation exceeds the goal or a rule fails). */
export function report(r: RunResult): number {
  const verdicts: { ok: boolean; text: string }[] = [];
  const out: string[] = [];
  const l = r.load;
  out.push(`\nmist-wan-exporter rules benchmark — ${r.machine}; ${int(r.sites)} sites, ${r.minutes} min measured after the first scrape (scrape every ${r.scrapeInterval}), all families collected ${r.readyS.toFixed(0)} s after start`);
  out.push(r.history
    ? `History: ${r.history.minutes} min of per-minute samples of the ${int(r.history.series)} recorded series a seed run of the same rules produced (${int(r.history.samples)} samples, values held from the seed), ` +
      `backfilled with promtool; it ends ${r.promStartSec - r.history.endSec} s before the measured window starts`
    : 'History: none (windows hold only the run)');
  out.push(`Load: 1-min load average ${l.start.map((x) => x.toFixed(2)).join(' ')} at start, ${l.end.map((x) => x.toFixed(2)).join(' ')} at end, ${l.min1.toFixed(2)}–${l.max1.toFixed(2)} during; ` +
    `machine CPU busy ${(l.machineBusyS / l.wallS).toFixed(2)} cores of ${r.cores}: Prometheus ${(l.promS / l.wallS).toFixed(2)}, exporter+collector+simulator ${(l.allS / l.wallS).toFixed(2)}, everything else ${((l.machineBusyS - l.promS - l.allS) / l.wallS).toFixed(2)}\n`);

  out.push('Rule group evaluation time, share of the interval (every evaluation seen in the run; goal ≤ 10 %):\n');
  const rows = r.groups.map((g) => {
    const e = g.evaluations;
    const share = (x: number): string => (e.length ? pct(x / g.interval) : '-');
    return [`${g.name} (${g.file.split('/').slice(-2).join('/')})`, `${g.interval} s`, String(g.ruleCount), String(e.length),
      e.length ? `${ms(Math.min(...e))} / ${ms(median(e))} / ${ms(Math.max(...e))}` : '-',
      e.length ? `${share(Math.min(...e))} / ${share(median(e))} / ${share(Math.max(...e))}` : 'not evaluated in the run'];
  });
  out.push(table(['group (file)', 'interval', 'rules', 'evals', 'eval ms min / median / max', 'share min / median / max'], rows, [false, true, true, true, true, true]));
  for (const g of r.groups) {
    // The verdict is on the median: on a shared VM one evaluation can wait for a core; the max is printed beside it.
    if (g.evaluations.length) {
      const med = median(g.evaluations);
      const max = Math.max(...g.evaluations);
      verdicts.push({ ok: med <= GOAL_SHARE * g.interval, text: `${g.name}: median evaluation ${ms(med)} ms = ${pct(med / g.interval)} of ${g.interval} s (slowest ${ms(max)} ms = ${pct(max / g.interval)}${max > GOAL_SHARE * g.interval ? ', above the goal' : ''})` });
    }
    for (const [rule, err] of g.errors) verdicts.push({ ok: false, text: `${g.name}: rule ${rule} fails: ${err}` });
  }
  out.push('\nSlowest rules per group (largest evaluation time seen):');
  for (const g of r.groups) {
    const top = [...g.ruleMax].sort((a, b) => b[1] - a[1]).slice(0, 3);
    if (top.length && g.evaluations.length) out.push(`  ${g.name}: ${top.map(([n, s]) => `${n} ${ms(s)} ms`).join('; ')}`);
  }

  for (const f of r.forced) {
    out.push(`\nForced evaluation of ${f.group} (interval ${f.interval} s, not due in the run): each rule's expression as an instant query × ${r.reps}, ` +
      'as is (gate closed unless run within the first hour of a UTC day) and with its once-a-day gate opened; median wall ms (Prometheus eval ms); min–max:\n');
    out.push(table(['rule', 'as is', 'gate opened', 'series (opened)'], f.rules.map((x) => [x.name, timing(x.asIs), x.opened ? timing(x.opened) : 'no gate', int((x.opened ?? x.asIs).series)]), [false, true, true, true]));
    const total = f.rules.reduce((s, x) => s + median((x.opened ?? x.asIs).wallMs), 0) / 1000;
    out.push(`  sum of medians (the group's rules run one after another): ${ms(total)} ms = ${pct(total / f.interval)} of ${f.interval} s`);
    verdicts.push({ ok: total <= GOAL_SHARE * f.interval, text: `${f.group} (forced, gate opened): ${ms(total)} ms = ${pct(total / f.interval)} of ${f.interval} s` });
    for (const x of f.rules) if (x.asIs.error || x.opened?.error) verdicts.push({ ok: false, text: `${f.group}: ${x.name} fails as a query: ${x.asIs.error ?? x.opened?.error}` });
  }

  const recorded = r.recorded.filter((x) => x.name.includes(':')).sort((a, b) => b.series - a.series);
  const alertState = r.recorded.filter((x) => !x.name.includes(':'));
  const sum = (xs: { series: number }[]): number => xs.reduce((s, x) => s + x.series, 0);
  const perCircuit = sum(recorded.filter((x) => x.name.startsWith('site_circuit:')));
  out.push(`\nSeries added by the rules at the end of the run: ${int(sum(recorded))} recorded (${recorded.length} names; ${(sum(recorded) / r.circuits).toFixed(1)} per circuit overall, ` +
    `${(perCircuit / r.circuits).toFixed(1)} per circuit in site_circuit:* for ${int(r.circuits)} circuits) + ${int(sum(alertState))} alert state (${alertState.map((x) => `${x.name} ${x.series}`).join(', ') || 'none'}); ` +
    'daily series are recorded once a day and are not among them (see the forced evaluation)\n');
  out.push(table(['recorded name', 'series', 'per circuit'], recorded.map((x) => [x.name, int(x.series), (x.series / r.circuits).toFixed(2)]), [false, true, true]));

  out.push(`\nRaw series scraped from the exporter: ${int(r.scraped)} (slowest scrape ${r.scrapeMaxS.toFixed(2)} s); TSDB head series ${int(r.headSeries)} (/api/v1/status/tsdb: ${int(r.tsdbHeadSeries)}); ` +
    `Prometheus RSS ${mib(r.rssBytes)} MiB at the end, ${mib(r.maxRssBytes)} MiB max seen; rule group iterations missed: ${r.missedIterations}`);

  out.push(`\ndocs/kpis.md period queries at the end of the run, as instant queries × ${r.reps} (the first cold). The data held: ${(r.windowS / 60).toFixed(0)} min of recorded per-minute ` +
    `and trailing-hour series (${r.history ? 'backfilled history + ' : ''}the run), no daily series (the day group records in 00:00–01:00 UTC). Median wall ms (Prometheus eval ms); min–max; series returned; samples read:\n`);
  out.push(table(['KPI', 'window', 'ms', 'series', 'samples'], r.queries.map((q) => [q.kpi, q.window, timing(q.timed), int(q.timed.series), q.timed.samples === null ? '-' : int(q.timed.samples)]), [false, false, true, true, true]));
  for (const q of r.queries) if (q.timed.error) verdicts.push({ ok: false, text: `period query fails (${q.kpi}, ${q.window}): ${q.timed.error}` });
  out.push('\nThe queries:');
  for (const q of r.queries) out.push(`  ${q.kpi}, ${q.window}: ${q.expr}`);

  out.push('');
  for (const v of verdicts) out.push(`${v.ok ? 'PASS' : 'FAIL'}  ${v.text}`);
  console.log(out.join('\n'));
  return verdicts.every((v) => v.ok) ? 0 : 1;
}
