/**
 * What bench/rules.ts reads from a running Prometheus: every rule group evaluation (from /api/v1/rules, polled
 * often enough to see each one of a per-minute group), and Prometheus' own process and TSDB figures (its
 * /metrics, so no self-scrape job adds series to the run).
 */

export interface ApiRule {
  name: string;
  query: string;
  type: 'recording' | 'alerting';
  health: string;
  lastError?: string;
  evaluationTime: number;
  lastEvaluation: string;
}

export interface ApiGroup {
  name: string;
  file: string;
  interval: number;
  evaluationTime: number;
  lastEvaluation: string;
  rules: ApiRule[];
}

export interface GroupRecord {
  name: string;
  file: string;
  interval: number;
  ruleCount: number;
  /** Evaluation time of each evaluation seen, seconds, in order. */
  evaluations: number[];
  /** Per rule: the largest evaluation time seen, seconds. */
  ruleMax: Map<string, number>;
  /** Rules whose last evaluation failed: name → error. */
  errors: Map<string, string>;
}

export type ApiGet = <T>(path: string, params?: Record<string, string>) => Promise<T>;

/** Polls /api/v1/rules; records each group evaluation once (keyed by its lastEvaluation). */
export class RulesProbe {
  readonly groups = new Map<string, GroupRecord>();
  private readonly seen = new Map<string, string>();

  constructor(private readonly api: ApiGet) {}

  async poll(): Promise<void> {
    const { groups } = await this.api<{ groups: ApiGroup[] }>('rules');
    for (const g of groups) {
      const key = `${g.file}\u0000${g.name}`;
      let rec = this.groups.get(key);
      if (!rec) {
        rec = { name: g.name, file: g.file, interval: g.interval, ruleCount: g.rules.length, evaluations: [], ruleMax: new Map(), errors: new Map() };
        this.groups.set(key, rec);
      }
      if (g.lastEvaluation.startsWith('0001-') || this.seen.get(key) === g.lastEvaluation) continue;
      this.seen.set(key, g.lastEvaluation);
      rec.evaluations.push(g.evaluationTime);
      for (const r of g.rules) {
        rec.ruleMax.set(r.name, Math.max(rec.ruleMax.get(r.name) ?? 0, r.evaluationTime));
        if (r.health === 'err') rec.errors.set(r.name, r.lastError ?? 'error');
        else rec.errors.delete(r.name);
      }
    }
  }

  /** The groups as Prometheus last listed them (rule expressions included), for forced evaluations. */
  async current(): Promise<ApiGroup[]> {
    return (await this.api<{ groups: ApiGroup[] }>('rules')).groups;
  }
}

export interface PromSelf {
  rssBytes: number;
  cpuSeconds: number;
  headSeries: number;
  missedIterations: number;
}

/** Prometheus' process and TSDB figures from its own /metrics. */
export async function promSelf(url: string): Promise<PromSelf> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (name: string): number => {
    let total = 0;
    for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) total += Number(m[1]);
    return total;
  };
  return {
    rssBytes: sum('process_resident_memory_bytes'),
    cpuSeconds: sum('process_cpu_seconds_total'),
    headSeries: sum('prometheus_tsdb_head_series'),
    missedIterations: sum('prometheus_rule_group_iterations_missed_total'),
  };
}

export interface Timed {
  /** Client-side wall time of each repetition, ms. */
  wallMs: number[];
  /** Prometheus' own evaluation time (stats=all, evalTotalTime) of each repetition, ms, when it reports one. */
  evalMs: number[];
  series: number;
  samples: number | null;
  error?: string;
}

/** An instant query run `reps` times back to back; the first one is cold (nothing cached in the page cache or postings). */
export async function timeQuery(url: string, expr: string, reps: number): Promise<Timed> {
  const out: Timed = { wallMs: [], evalMs: [], series: 0, samples: null };
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr, stats: 'all' }) });
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { result: unknown[] | unknown; stats?: { timings?: { evalTotalTime?: number }; samples?: { totalQueryableSamples?: number } } };
    };
    out.wallMs.push(performance.now() - t0);
    if (body.status !== 'success') return { ...out, error: body.error ?? `HTTP ${res.status}` };
    const ev = body.data?.stats?.timings?.evalTotalTime;
    if (typeof ev === 'number') out.evalMs.push(ev * 1000);
    out.series = Array.isArray(body.data?.result) ? body.data.result.length : 1;
    out.samples = body.data?.stats?.samples?.totalQueryableSamples ?? null;
  }
  return out;
}
