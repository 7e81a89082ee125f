import type { Variable } from '../../../src/dashboards/grafana.js';

/**
 * Grafana's template interpolation for Prometheus queries, as its Prometheus datasource does it (the parts our
 * dashboards use): `$name`, `${name}`, `${name:format}`, `[[name]]`; a single value of a variable that is neither
 * multi nor includeAll is escaped for a PromQL string, one of a multi/includeAll variable for a regex; the "All"
 * value (allValue) is left as is. Grafana's own variables come from the time range and the step.
 */

/** A variable's selected value: one or more values, or All (its allValue). */
export type Selection = { readonly values: readonly string[] } | { readonly all: true };

export interface TimeContext {
  /** The range's start and end (epoch seconds). */
  readonly from: number;
  readonly to: number;
  /** $__interval, seconds (the range query's step). */
  readonly intervalSeconds: number;
  /** The datasource's scrape interval (timeInterval), seconds: $__rate_interval = max($__interval + it, 4 × it). */
  readonly scrapeSeconds: number;
}

// Grafana's variable syntax (public/app/features/variables/utils.ts, variableRegex).
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

const regularEscape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
const regexEscape = (v: string): string => v.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');

const secs = (n: number): string => `${Math.max(1, Math.round(n))}s`;

/** Grafana's built-in variables, seconds rounded (Prometheus durations need integers here). */
export function builtins(t: TimeContext): Record<string, (format?: string) => string> {
  const range = t.to - t.from;
  const rate = Math.max(t.intervalSeconds + t.scrapeSeconds, 4 * t.scrapeSeconds);
  const date = (s: number) => (format?: string): string => (format === 'date:seconds' ? String(Math.floor(s)) : String(Math.floor(s * 1000)));
  return {
    __range: () => secs(range),
    __range_s: () => String(Math.round(range)),
    __range_ms: () => String(Math.round(range * 1000)),
    __interval: () => secs(t.intervalSeconds),
    __interval_ms: () => String(Math.round(t.intervalSeconds * 1000)),
    __rate_interval: () => secs(rate),
    __from: date(t.from),
    __to: date(t.to),
  };
}

function formatValue(variable: Variable | undefined, sel: Selection): string {
  if ('all' in sel) {
    if (variable?.allValue !== undefined) return variable.allValue;
    throw new Error(`variable ${variable?.name} has no allValue`);
  }
  const multi = variable?.multi === true || variable?.includeAll === true;
  if (!multi) return regularEscape(sel.values[0] ?? '');
  const escaped = sel.values.map(regexEscape);
  return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
}

/**
 * Substitutes every variable; throws on one that is neither a dashboard variable with a selection nor a built-in
 * (a query that would reach Prometheus with a `$` left in it), but for `$1`-style group references, which Grafana
 * leaves as written.
 */
export function interpolate(expr: string, variables: readonly Variable[], selected: ReadonlyMap<string, Selection>, time: TimeContext): string {
  const builtin = builtins(time);
  return expr.replace(VARIABLE, (match, plain?: string, bracket?: string, bracketFmt?: string, braced?: string, _field?: string, fmt?: string) => {
    const name = plain ?? bracket ?? braced!;
    const format = bracketFmt ?? fmt;
    const b = builtin[name];
    if (b) return b(format);
    const sel = selected.get(name);
    // `$1` in label_replace's replacement: Grafana leaves a name it does not know as written.
    if (!sel && /^\d+$/.test(name)) return match;
    if (!sel) throw new Error(`${match}: no value for variable "${name}" in ${expr}`);
    return formatValue(variables.find((v) => v.name === name), sel);
  });
}
