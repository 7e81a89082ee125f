import type { Variable } from '../../../src/dashboards/grafana.js';
import type { PrometheusServer } from '../prometheus.js';
import { interpolate, type Selection, type TimeContext } from './interpolate.js';

/**
 * A query variable resolved as Grafana's Prometheus datasource does it: `label_values(selector, label)` →
 * GET /api/v1/label/<label>/values?match[]=selector over the range, `label_values(label)` without a selector,
 * `query_result(expr)` → an instant query at the range's end, each series rendered as Grafana renders it
 * (`name{a="x",b="y"} value ms`); then the variable's regex (named groups `value` / `text`, else the first group).
 */

export interface VariableOptionValue {
  readonly text: string;
  readonly value: string;
}

export interface ResolvedVariable {
  readonly name: string;
  readonly type: Variable['type'];
  /** The query sent, variables substituted ('' for custom / datasource). */
  readonly query: string;
  readonly options: readonly VariableOptionValue[];
}

const LABEL_VALUES = /^label_values\((?:(.+),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\)\s*$/s;
const QUERY_RESULT = /^query_result\((.+)\)\s*$/s;

/** `/re/flags` → RegExp (Grafana's stringToJsRegex). */
export function grafanaRegex(text: string): RegExp {
  if (!text.startsWith('/')) return new RegExp(`^${text}$`);
  const end = text.lastIndexOf('/');
  return new RegExp(text.slice(1, end), text.slice(end + 1));
}

/** Grafana's metricNamesToVariableValues (the regex step), without sorting. */
export function applyRegex(items: readonly VariableOptionValue[], regex: string | undefined): VariableOptionValue[] {
  if (!regex) return [...items];
  const out: VariableOptionValue[] = [];
  for (const item of items) {
    const re = grafanaRegex(regex);
    const m = re.exec(item.value);
    if (!m) continue;
    if (m.groups && (m.groups.value !== undefined || m.groups.text !== undefined)) {
      const value = m.groups.value ?? m.groups.text!;
      out.push({ value, text: m.groups.text ?? value });
    } else if (m.length > 1) out.push({ value: m[1]!, text: m[1]! });
    else out.push(item);
  }
  const seen = new Set<string>();
  return out.filter((o) => !seen.has(o.value) && seen.add(o.value));
}

/** Grafana's text for one query_result series. */
function seriesText(metric: Record<string, string>, value: [number, string]): string {
  const { __name__: name = '', ...labels } = metric;
  return `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}} ${value[1]} ${value[0] * 1000}`;
}

/** Custom variable options: `a,b,c` or `text : value` pairs (Grafana's custom variable syntax). */
function customOptions(query: string): VariableOptionValue[] {
  return query.split(/(?<!\\),/).map((s) => s.trim()).filter(Boolean).map((s) => {
    const [text, value] = s.split(/\s:\s/).map((x) => x.trim());
    return { text: text!, value: value ?? text! };
  });
}

export async function resolveVariable(
  prom: PrometheusServer, v: Variable, all: readonly Variable[], selected: ReadonlyMap<string, Selection>, time: TimeContext,
): Promise<ResolvedVariable> {
  if (v.type === 'datasource' || v.type === 'constant' || v.type === 'textbox') return { name: v.name, type: v.type, query: '', options: [] };
  if (v.type === 'custom' || v.type === 'interval') return { name: v.name, type: v.type, query: v.query, options: customOptions(v.query) };
  const query = interpolate(v.query, all, selected, time);
  const range = { start: String(time.from), end: String(time.to) };
  let items: VariableOptionValue[];
  const lv = LABEL_VALUES.exec(query);
  const qr = QUERY_RESULT.exec(query);
  if (lv) {
    const [, selector, label] = lv;
    const values = await prom.api<string[]>(`label/${label}/values`, selector ? { 'match[]': selector, ...range } : range);
    items = values.map((x) => ({ text: x, value: x }));
  } else if (qr) {
    const data = await prom.api<{ resultType: string; result: unknown }>('query', { query: qr[1]!, time: String(time.to) });
    if (data.resultType !== 'vector') throw new Error(`${v.name}: query_result gave a ${data.resultType}`);
    items = (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => {
      const t = seriesText(r.metric, r.value);
      return { text: t, value: t };
    });
  } else {
    throw new Error(`${v.name}: unsupported variable query ${query} (label_values or query_result expected)`);
  }
  return { name: v.name, type: v.type, query, options: applyRegex(items, v.regex) };
}
