import type { Logger } from '../log.js';
import { runCycle, type CycleDeps, type CycleResult } from './cycle.js';
import type { Family } from './family.js';

export interface ScheduledFamily {
  readonly family: Family;
  readonly orgId: string;
  readonly intervalSeconds: number;
  /** Calls per cycle for budgeted families (the plan's leftover); absent: unbounded. */
  readonly callBudget?: number;
}

export interface SchedulerDeps extends CycleDeps {
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called after every cycle (tests and self-metrics listen here). */
  readonly onCycle?: (job: ScheduledFamily, result: CycleResult) => void;
}

/**
 * Runs every (family, org) on its own interval, measured from cycle start to cycle start (a slow cycle is not
 * followed by a pile-up: the next one starts right away once the interval has passed). Families are started
 * in list order, so dependencies (gateways before wan-ports) are fetched first on start-up.
 */
export class Scheduler {
  private readonly controller = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(private readonly deps: SchedulerDeps, private readonly jobs: readonly ScheduledFamily[], private readonly log: Logger) {}

  /** Starts the loops; the first cycle of each job runs in order, then each keeps its own rhythm. */
  start(): void {
    const signal = this.controller.signal;
    let chain = Promise.resolve();
    for (const job of this.jobs) {
      const first = chain.then(() => this.cycle(job, signal));
      chain = first.then(() => undefined);
      this.loops.push(first.then((startedAt) => this.loop(job, startedAt, signal)));
    }
  }

  /** Stops all loops and waits for in-flight cycles to end (they are aborted). */
  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled(this.loops);
  }

  /** Runs one cycle of every job now, in order (the `collector --once` mode and tests). */
  async runOnce(): Promise<CycleResult[]> {
    const results: CycleResult[] = [];
    for (const job of this.jobs) {
      const r = await runCycle(this.deps, job.family, job.orgId, job.intervalSeconds, this.controller.signal, job.callBudget);
      this.deps.onCycle?.(job, r);
      results.push(r);
    }
    return results;
  }

  private async cycle(job: ScheduledFamily, signal: AbortSignal): Promise<number> {
    const startedAt = this.deps.now();
    if (signal.aborted) return startedAt;
    try {
      const r = await runCycle(this.deps, job.family, job.orgId, job.intervalSeconds, signal, job.callBudget);
      this.deps.onCycle?.(job, r);
    } catch (err) {
      // runCycle records its own failures; this is a store outage or a bug: log and keep the rhythm.
      this.log.error({ err, family: job.family.name, orgId: job.orgId }, 'cycle crashed');
    }
    return startedAt;
  }

  private async loop(job: ScheduledFamily, firstStart: number, signal: AbortSignal): Promise<void> {
    let lastStart = firstStart;
    while (!signal.aborted) {
      const wait = lastStart + job.intervalSeconds * 1000 - this.deps.now();
      if (wait > 0) {
        try {
          await this.deps.sleep(wait, signal);
        } catch {
          return;
        }
      }
      if (signal.aborted) return;
      lastStart = await this.cycle(job, signal);
    }
  }
}
