import type { CycleResult } from './cycle.js';
import type { ScheduledFamily, SchedulerDeps } from './scheduler.js';

/** One job's first cycle, as the start-up progress shows it. */
export interface FirstCycle {
  readonly family: string;
  readonly orgId: string;
  readonly ok: boolean;
  readonly records: number;
  readonly durationMs: number;
  readonly error?: string;
}

export interface FirstProgress {
  readonly done: number;
  readonly total: number;
  readonly cycle: FirstCycle;
}

export interface FirstCollectionSummary {
  readonly total: number;
  readonly cycles: readonly FirstCycle[];
  readonly failed: readonly FirstCycle[];
  readonly records: number;
  /** When the first cycle started (epoch ms). */
  readonly startedAt: number;
  /** From the start of the first cycle to the end of the last first cycle. */
  readonly elapsedMs: number;
  readonly orgs: number;
}

/**
 * Watches the scheduler until every (family, org) job has ended its first cycle (ok or failed; a cycle
 * aborted by shutdown does not count), reporting each as it ends. The collector itself is untouched: this
 * only listens on the scheduler's onCycle hook.
 */
export class FirstCollection {
  private readonly pending: Set<string>;
  private readonly cycles: FirstCycle[] = [];
  private startedAt: number | null = null;
  private finish: (summary: FirstCollectionSummary) => void = () => undefined;
  /** Resolves once every job has had its first cycle. */
  readonly done: Promise<FirstCollectionSummary>;

  constructor(
    private readonly jobs: readonly Pick<ScheduledFamily, 'family' | 'orgId'>[],
    private readonly now: () => number,
    private readonly onProgress: (progress: FirstProgress) => void = () => undefined,
  ) {
    this.pending = new Set(jobs.map(jobKey));
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  /** Scheduler deps that report to this watcher as well as to the hook they already had. */
  watch(deps: SchedulerDeps): SchedulerDeps {
    return {
      ...deps,
      onCycle: (job, result) => {
        deps.onCycle?.(job, result);
        this.observe(job, result);
      },
    };
  }

  observe(job: Pick<ScheduledFamily, 'family' | 'orgId'>, result: CycleResult): void {
    if (result.aborted === true || !this.pending.delete(jobKey(job))) return;
    const at = this.now();
    this.startedAt = Math.min(this.startedAt ?? Infinity, at - result.durationMs);
    const cycle: FirstCycle = {
      family: job.family.name, orgId: job.orgId, ok: result.ok, records: result.recordsKept, durationMs: result.durationMs,
      ...(result.ok || result.error === undefined ? {} : { error: result.error }),
    };
    this.cycles.push(cycle);
    this.onProgress({ done: this.cycles.length, total: this.jobs.length, cycle });
    if (this.pending.size === 0) {
      this.finish({
        total: this.jobs.length,
        cycles: [...this.cycles],
        failed: this.cycles.filter((c) => !c.ok),
        records: this.cycles.reduce((s, c) => s + c.records, 0),
        startedAt: this.startedAt ?? at,
        elapsedMs: at - (this.startedAt ?? at),
        orgs: new Set(this.jobs.map((j) => j.orgId)).size,
      });
    }
  }
}

function jobKey(job: Pick<ScheduledFamily, 'family' | 'orgId'>): string {
  return `${job.orgId}\u0000${job.family.name}`;
}

const count = (n: number): string => n.toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const plural = (n: number, one: string, many = `${one}s`): string => `${count(n)} ${n === 1 ? one : many}`;
/** "families", or "family cycles" when several orgs each have every family. */
const unit = (orgs: number): string => (orgs > 1 ? 'family cycles' : 'families');

/** `first collection 3/10 families: gateways, 3,208 records in 1.2 s` (or `… failed: <reason>`). */
export function formatProgress(p: FirstProgress, orgs = 1): string {
  const what = orgs > 1 ? `${p.cycle.family} (org ${p.cycle.orgId})` : p.cycle.family;
  const outcome = p.cycle.ok
    ? `${plural(p.cycle.records, 'record')} in ${seconds(p.cycle.durationMs)}`
    : `failed after ${seconds(p.cycle.durationMs)}: ${p.cycle.error ?? 'unknown error'} (retried on its interval)`;
  return `first collection ${p.done}/${p.total} ${unit(orgs)}: ${what}, ${outcome}`;
}

/**
 * The first collection in one line: `collected 10 families, 348,296 series in 8.1 s` when the exporter's
 * series count is known (`all`), records otherwise (`collector`); failures named.
 */
export function formatFirstCollection(s: FirstCollectionSummary, series?: number): string {
  const ok = s.total - s.failed.length;
  const amount = series === undefined ? plural(s.records, 'record') : plural(series, 'series', 'series');
  const head = s.failed.length === 0
    ? `collected ${plural(s.total, s.orgs > 1 ? 'family cycle' : 'family', unit(s.orgs))}`
    : `collected ${ok} of ${plural(s.total, s.orgs > 1 ? 'family cycle' : 'family', unit(s.orgs))}`;
  const failed = s.failed.length === 0 ? '' : `; failed: ${s.failed.map((c) => c.family).join(', ')} (retried on their interval)`;
  return `${head}, ${amount} in ${seconds(s.elapsedMs)}${failed}`;
}
