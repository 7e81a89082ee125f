import { readFileSync } from 'node:fs';

/**
 * The period queries of docs/kpis.md (the contract the dashboards build on), as the bench runs them: every
 * PromQL code span in the KPI table's query column, with the dashboard variables bound to what the run holds.
 */
export interface KpiQuery {
  /** The KPI (first cell of its table row) and which query of the row this is. */
  readonly kpi: string;
  /** As written in docs/kpis.md. */
  readonly written: string;
  /** As run. */
  readonly expr: string;
}

/** A code span that is PromQL: it reads a recorded or raw series (a name with a colon, or mist_*) through a function. */
const looksLikePromql = (code: string): boolean => /[a-z_]+:[a-z_0-9]+:[a-z_0-9]+|\bmist_[a-z_]+/.test(code) && /[([]/.test(code);

/**
 * Reads the table rows of docs/kpis.md whose cells hold PromQL. `rangeSeconds` binds Grafana's `$__range`
 * (and `${__range}`, `$__range_s`), the period the dashboard shows: the bench gives it the longest window the
 * run holds. Other variables (`$region`, `$site`, …) become match-all regexes.
 */
export function kpiQueries(file: string, rangeSeconds: number): KpiQuery[] {
  const out: KpiQuery[] = [];
  const seen = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trimStart().startsWith('|')) continue;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const kpi = (cells[0] ?? '').replace(/[`*]/g, '');
    // Code spans may use doubled backticks (PromQL rarely holds a backtick, but `` `a|b` `` escapes pipes).
    const spans = [...line.matchAll(/(`+)(.+?)\1/g)].map((m) => m[2]!.trim().replace(/\\\|/g, '|'));
    let n = 0;
    for (const written of spans.filter(looksLikePromql)) {
      if (seen.has(written)) continue;
      seen.add(written);
      n += 1;
      out.push({ kpi: `${kpi}${n > 1 ? ` (${n})` : ''}`, written, expr: bind(written, rangeSeconds) });
    }
  }
  return out;
}

export function bind(expr: string, rangeSeconds: number): string {
  const range = `${Math.max(1, Math.floor(rangeSeconds / 60)) * 60}s`;
  return expr
    .replace(/\$\{?__range_s\}?/g, String(rangeSeconds))
    .replace(/\$\{?__range\}?/g, range)
    .replace(/\$\{?__interval\}?/g, '1m')
    .replace(/"\$\{?[a-z_]+(?::[a-z]+)?\}?"/gi, '".*"')
    .replace(/=\s*"\.\*"/g, '=~".*"');
}
