import { targetKey, type PassResult, type TargetResult, type VariableResult } from './run.js';

/** The dashboards proof's report: one line per target (quiet and forced rows), the failures with their queries. */

export interface ReportRow {
  readonly uid: string;
  readonly panel: string;
  readonly target: string;
  readonly quiet: TargetResult;
  readonly forced?: TargetResult;
  /** emptyWhenQuiet reason ('' when the panel must never be empty). */
  readonly reason: string;
}

export function reportRows(quiet: PassResult, forced: PassResult): ReportRow[] {
  const byKey = new Map(forced.targets.map((t) => [targetKey(t), t]));
  return quiet.targets.map((q) => {
    const f = byKey.get(targetKey(q));
    return { uid: q.uid, panel: q.panel, target: `${q.refId} ${q.instant ? 'instant' : 'range'}`, quiet: q, ...(f ? { forced: f } : {}), reason: q.quietReason ?? '' };
  });
}

const cell = (t: TargetResult | undefined): string => (!t ? '-' : t.error ? 'ERROR' : `${t.rows}${t.attempts > 1 ? ` (run ${t.attempts})` : ''}`);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(width[i]!)).join(' | ');
  return [line(header), width.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function formatReport(rows: readonly ReportRow[]): string {
  return table(['uid', 'panel', 'target', 'quiet rows', 'forced rows', 'empty when quiet (reason)'],
    rows.map((r) => [r.uid.replace(/^mist-wan-/, ''), clip(r.panel, 48), r.target, cell(r.quiet), cell(r.forced), clip(r.reason, 90)]));
}

export function formatVariables(vars: readonly VariableResult[], pass: string): string {
  return table(['pass', 'uid', 'variable', 'options', 'selected', 'query / error'], vars.filter((v) => v.type !== 'datasource').map((v) => [
    pass, v.uid.replace(/^mist-wan-/, ''), v.name, v.error ? 'ERROR' : String(v.options.length),
    !v.selected ? '-' : 'all' in v.selected ? 'All' : v.selected.values.join(','), clip(v.error ?? v.query, 110),
  ]));
}

/** A failed or empty target, precisely: where, what was sent, what came back. */
export const describeTarget = (pass: string, t: TargetResult): string =>
  `[${pass}] ${t.uid} / "${t.panel}" / ${t.refId} (${t.instant ? 'instant' : 'range'}): ${t.error ? `error: ${t.error}` : 'empty'}\n    expr: ${t.expr}\n    sent: ${t.sent}`;
