import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * The long-term storage configuration as shipped (prometheus/long-term/), read the way the tests need it: the
 * remote_write entry and its keep regex, and docs/kpis.md's 13-month queries (extracted, so a test fails when the
 * doc changes them).
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const LONGTERM_PROMETHEUS = `${ROOT}prometheus/long-term/prometheus.yml`;

export interface RelabelConfig {
  source_labels?: string[];
  regex?: string;
  action?: string;
  target_label?: string;
  replacement?: string;
}

export interface RemoteWrite {
  name?: string;
  url: string;
  write_relabel_configs?: RelabelConfig[];
  queue_config?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface PrometheusYaml {
  global?: Record<string, unknown> & { external_labels?: Record<string, string> };
  remote_write?: RemoteWrite[];
  scrape_configs?: Record<string, unknown>[];
  [k: string]: unknown;
}

export const readYaml = <T>(path: string): T => parse(readFileSync(path, 'utf8')) as T;

/** The shipped long-term prometheus.yml. */
export const longtermConfig = (): PrometheusYaml => readYaml<PrometheusYaml>(LONGTERM_PROMETHEUS);

/** The one `keep` rule on __name__ of a remote_write entry, as an anchored RegExp (Prometheus anchors relabel regexes). */
export function keepRegex(rw: RemoteWrite): RegExp {
  const keeps = (rw.write_relabel_configs ?? []).filter((r) => r.action === 'keep' && r.source_labels?.join() === '__name__');
  if (keeps.length !== 1 || !keeps[0]!.regex) throw new Error(`remote_write ${rw.name ?? rw.url}: expected one keep rule on __name__, got ${JSON.stringify(rw.write_relabel_configs)}`);
  return new RegExp(`^(?:${keeps[0]!.regex})$`);
}

/** The raw (non-recorded) names the keep regex lets through, from its alternatives without ':'. */
export function keptRawNames(rw: RemoteWrite): string[] {
  const regex = (rw.write_relabel_configs ?? []).find((r) => r.action === 'keep')?.regex ?? '';
  return regex.split('|').filter((alt) => /^[a-z_][a-z0-9_]*$/.test(alt));
}

/**
 * docs/kpis.md's 13-month queries: every backquoted PromQL expression there holding `[395d]`, e.g. availability
 * `sum_over_time(…up_minutes:sum1d[395d]) / sum_over_time(…known_minutes:count1d[395d])` and failovers.
 */
export function thirteenMonthQueries(): string[] {
  const text = readFileSync(`${ROOT}docs/kpis.md`, 'utf8');
  return [...new Set([...text.matchAll(/`([^`]*\[395d\][^`]*)`/g)].map((m) => m[1]!.trim()))].filter((q) => recordedNamesIn(q).length > 0);
}

/** The recorded series names a PromQL expression reads (`level:metric:operations`). */
export const recordedNamesIn = (expr: string): string[] => [...new Set(expr.match(/[a-z_]+:[a-z0-9_]+:[a-z0-9_]+/g) ?? [])];
