import type { Family, OrgSize } from './family.js';

/**
 * The API budget plan: calls per family per hour against `tokens × limit × share`. When the configured
 * intervals do not fit, every interval is stretched by the same factor (logged, and exported as a metric);
 * past MAX_STRETCH the data would be too stale to be useful and the collector refuses to start instead.
 */
export const MAX_STRETCH = 4;

export interface PlanInput {
  readonly jobs: readonly { readonly family: Family; readonly intervalSeconds: number }[];
  readonly orgs: readonly { readonly orgId: string; readonly size: OrgSize }[];
  readonly tokens: number;
  readonly limitPerToken: number;
  /** Share of the total budget steady state may use (default 0.8): the rest absorbs retries and humans. */
  readonly share: number;
}

export interface PlanRow {
  readonly family: string;
  readonly orgId: string;
  readonly callsPerCycle: number;
  readonly intervalSeconds: number;
  readonly callsPerHour: number;
}

export interface Plan {
  readonly rows: readonly PlanRow[];
  /** Calls per hour at the configured intervals. */
  readonly requestedPerHour: number;
  /** Calls per hour at the intervals that will run (stretched when needed). */
  readonly callsPerHour: number;
  readonly budgetPerHour: number;
  readonly allowedPerHour: number;
  readonly stretch: number;
  /** Intervals that will run, by family. */
  readonly intervals: Readonly<Record<string, number>>;
  /** Calls per cycle per org for budgeted families: their share of what the fixed families leave. */
  readonly budgets: Readonly<Record<string, number>>;
  /** Calls per hour left to budgeted families. */
  readonly leftoverPerHour: number;
  readonly fits: boolean;
}

export function planBudget(input: PlanInput): Plan {
  const budgetPerHour = input.tokens * input.limitPerToken;
  const allowedPerHour = Math.floor(budgetPerHour * input.share);
  const perCycle = input.jobs.flatMap(({ family, intervalSeconds }) =>
    input.orgs.map(({ orgId, size }) => ({ family: family.name, orgId, calls: family.callsPerCycle(size), intervalSeconds })));
  const requestedPerHour = perCycle.reduce((s, r) => s + (r.calls * 3600) / r.intervalSeconds, 0);
  const stretch = requestedPerHour <= allowedPerHour ? 1 : requestedPerHour / allowedPerHour;
  const intervals: Record<string, number> = {};
  for (const { family, intervalSeconds } of input.jobs) intervals[family.name] = Math.ceil(intervalSeconds * stretch);
  const rows = perCycle.map((r) => {
    const interval = intervals[r.family] ?? r.intervalSeconds;
    return { family: r.family, orgId: r.orgId, callsPerCycle: r.calls, intervalSeconds: interval, callsPerHour: (r.calls * 3600) / interval };
  });
  // Budgeted families (callsPerCycle 0) share what is left of the allowed budget, evenly, per org.
  const leftoverPerHour = Math.max(0, allowedPerHour - rows.reduce((s, r) => s + r.callsPerHour, 0));
  const budgeted = input.jobs.filter((j) => j.family.budgeted);
  const budgets: Record<string, number> = {};
  for (const { family } of budgeted) {
    const interval = intervals[family.name] ?? family.defaultIntervalSeconds;
    budgets[family.name] = Math.floor((leftoverPerHour / budgeted.length / Math.max(1, input.orgs.length)) * (interval / 3600));
  }
  return {
    rows,
    budgets,
    leftoverPerHour: Math.round(leftoverPerHour),
    requestedPerHour: Math.round(requestedPerHour),
    callsPerHour: Math.round(rows.reduce((s, r) => s + r.callsPerHour, 0)),
    budgetPerHour,
    allowedPerHour,
    stretch,
    intervals,
    fits: stretch <= MAX_STRETCH,
  };
}

/** A human-readable table of the plan (the `plan` command prints it). */
export function formatPlan(plan: Plan, orgNames: ReadonlyMap<string, string> = new Map()): string {
  const lines: string[] = [];
  const pad = (s: string | number, n: number): string => String(s).padStart(n);
  lines.push(`${'org'.padEnd(38)}${'family'.padEnd(12)}${pad('calls/cycle', 12)}${pad('interval s', 12)}${pad('calls/hour', 12)}${pad('share', 8)}`);
  for (const r of plan.rows) {
    // A budgeted family's row shows its ceiling (≤), not the 0 fixed calls it is planned with.
    const budget = plan.budgets[r.family];
    const [upTo, perCycle, perHour] = budget === undefined ? ['', r.callsPerCycle, r.callsPerHour] : ['≤', budget, (budget * 3600) / r.intervalSeconds];
    lines.push(`${(orgNames.get(r.orgId) ?? r.orgId).slice(0, 36).padEnd(38)}${r.family.padEnd(12)}${pad(`${upTo}${perCycle}`, 12)}${pad(r.intervalSeconds, 12)}`
      + `${pad(`${upTo}${perHour.toFixed(1)}`, 12)}${pad(`${upTo}${((100 * perHour) / plan.budgetPerHour).toFixed(1)}%`, 8)}`);
  }
  const perCycle = plan.rows.reduce((s, r) => s + r.callsPerCycle, 0);
  lines.push('');
  lines.push(`calls per full cycle (every family once): ${perCycle}`);
  lines.push(`steady state: ${plan.callsPerHour} calls/hour = ${((100 * plan.callsPerHour) / plan.budgetPerHour).toFixed(1)}% of the ${plan.budgetPerHour}/hour budget (allowed: ${plan.allowedPerHour}, ${((100 * plan.allowedPerHour) / plan.budgetPerHour).toFixed(0)}%)`);
  for (const [family, calls] of Object.entries(plan.budgets)) {
    lines.push(`${family}: budgeted, up to ${calls} calls per cycle per org (its share of the ${plan.leftoverPerHour} calls/hour left)`);
  }
  if (plan.stretch > 1) {
    lines.push(`does not fit at the configured intervals (${plan.requestedPerHour} calls/hour): every interval stretched ×${plan.stretch.toFixed(2)}`);
  }
  if (!plan.fits) lines.push(`REFUSED: needs a stretch over ×${MAX_STRETCH}; add tokens, lengthen intervals or collect fewer orgs`);
  return lines.join('\n');
}
