import type { Family, FamilyPriority, OrgSize } from './family.js';
import { collectsTier, DEFAULT_PROFILE, TIERS, tiersOf, type CollectorProfile } from './profile.js';

/**
 * The API budget plan: calls per family per hour against `tokens × limit × share`, for the families of the
 * collection profile. When the configured intervals do not fit, the tiers are stretched one at a time, the least
 * protected first: the `full` tier up to its MAX_STRETCH, then `standard`, and `availability` only once every
 * lower tier is at its bound. Each tier's intervals are stretched by one factor (logged, shown by `plan`, and
 * exported as mist_collector_interval_seconds). When even every tier at its bound does not fit, the data would be
 * too stale to be useful and the collector refuses to start instead, listing why.
 *
 * Only families with fixed calls are stretched: a derived family (circuits: no Mist call) or a budgeted one
 * (sle-details: it spends what the others leave) frees nothing by waiting longer and keeps its interval.
 */
export const MAX_STRETCH: Readonly<Record<FamilyPriority, number>> = { availability: 4, standard: 4, full: 4 };

export interface PlanInput {
  /** Every family with its configured interval; the profile's tiers are kept, the others left out (Plan.excluded). */
  readonly jobs: readonly { readonly family: Family; readonly intervalSeconds: number }[];
  readonly orgs: readonly { readonly orgId: string; readonly size: OrgSize }[];
  readonly tokens: number;
  readonly limitPerToken: number;
  /** Share of the total budget steady state may use (default 0.8): the rest absorbs retries and humans. */
  readonly share: number;
  /** COLLECTOR_PROFILE (default: full, every tier). */
  readonly profile?: CollectorProfile;
}

export interface PlanRow {
  readonly family: string;
  readonly orgId: string;
  readonly tier: FamilyPriority;
  readonly callsPerCycle: number;
  /** The interval that will run (stretched when needed). */
  readonly intervalSeconds: number;
  /** The configured interval (COLLECTOR_INTERVALS or the family's default). */
  readonly requestedIntervalSeconds: number;
  /** intervalSeconds / requestedIntervalSeconds before rounding up to whole seconds: its tier's factor, or 1. */
  readonly stretch: number;
  readonly callsPerHour: number;
}

export interface TierPlan {
  readonly tier: FamilyPriority;
  /** The tier's families in the profile, in registry order. */
  readonly families: readonly string[];
  /** The factor its fixed-call families' intervals are stretched by (1: as configured). */
  readonly stretch: number;
  readonly maxStretch: number;
  /** Fixed calls per hour at the configured intervals, and at the planned ones (budgeted families: not counted). */
  readonly requestedPerHour: number;
  readonly callsPerHour: number;
}

export interface Plan {
  readonly profile: CollectorProfile;
  /** The tiers the profile collects, protected first. */
  readonly tiers: readonly TierPlan[];
  /** Families the profile does not collect (no Mist call, no job). */
  readonly excluded: readonly { readonly family: string; readonly tier: FamilyPriority }[];
  readonly rows: readonly PlanRow[];
  /** Calls per hour at the configured intervals. */
  readonly requestedPerHour: number;
  /** Calls per hour at the intervals that will run (stretched when needed). */
  readonly callsPerHour: number;
  readonly budgetPerHour: number;
  readonly allowedPerHour: number;
  /** The largest stretch of any tier (1: nothing stretched). */
  readonly stretch: number;
  /** Intervals that will run, by family (the profile's families only). */
  readonly intervals: Readonly<Record<string, number>>;
  /** Calls per cycle per org for budgeted families: their share of what the fixed families leave. */
  readonly budgets: Readonly<Record<string, number>>;
  /** Calls per hour left to budgeted families. */
  readonly leftoverPerHour: number;
  readonly fits: boolean;
  /** Why the plan cannot fit and what would make it fit, one line each; empty when it fits. */
  readonly refusal: readonly string[];
}

type Job = PlanInput['jobs'][number];

export function planBudget(input: PlanInput): Plan {
  const profile = input.profile ?? DEFAULT_PROFILE;
  const budgetPerHour = input.tokens * input.limitPerToken;
  const allowedPerHour = Math.floor(budgetPerHour * input.share);
  const jobs = input.jobs.filter((j) => collectsTier(profile, j.family.priority));
  const excluded = input.jobs.filter((j) => !collectsTier(profile, j.family.priority)).map((j) => ({ family: j.family.name, tier: j.family.priority }));
  const tiers = tiersOf(profile);
  const callsOf = (job: Job): number[] => input.orgs.map(({ size }) => job.family.callsPerCycle(size));
  // Fixed calls per hour of a job at its configured interval, every org; 0 for derived and budgeted families.
  const costOf = (job: Job): number => (callsOf(job).reduce((s, n) => s + n, 0) * 3600) / job.intervalSeconds;
  const tierCost = (tier: FamilyPriority): number => jobs.filter((j) => j.family.priority === tier).reduce((s, j) => s + costOf(j), 0);
  const requested = tiers.reduce((s, t) => s + tierCost(t), 0);
  const stretches = stretchTiers(tiers, tierCost, allowedPerHour);

  const intervals: Record<string, number> = {};
  const rows: PlanRow[] = [];
  for (const job of jobs) {
    const by = costOf(job) > 0 ? stretches[job.family.priority] : 1;
    const interval = by > 1 ? Math.ceil(job.intervalSeconds * by) : job.intervalSeconds;
    intervals[job.family.name] = interval;
    callsOf(job).forEach((calls, i) => rows.push({
      family: job.family.name, orgId: input.orgs[i]!.orgId, tier: job.family.priority, callsPerCycle: calls,
      intervalSeconds: interval, requestedIntervalSeconds: job.intervalSeconds, stretch: by, callsPerHour: (calls * 3600) / interval,
    }));
  }
  const callsPerHour = rows.reduce((s, r) => s + r.callsPerHour, 0);
  // Budgeted families (callsPerCycle 0) share what is left of the allowed budget, evenly, per org.
  const leftoverPerHour = Math.max(0, allowedPerHour - callsPerHour);
  const budgeted = jobs.filter((j) => j.family.budgeted);
  const budgets: Record<string, number> = {};
  for (const { family } of budgeted) {
    const interval = intervals[family.name] ?? family.defaultIntervalSeconds;
    budgets[family.name] = Math.floor((leftoverPerHour / budgeted.length / Math.max(1, input.orgs.length)) * (interval / 3600));
  }
  const tierPlans = tiers.map((tier): TierPlan => ({
    tier,
    families: jobs.filter((j) => j.family.priority === tier).map((j) => j.family.name),
    stretch: stretches[tier],
    maxStretch: MAX_STRETCH[tier],
    requestedPerHour: Math.round(tierCost(tier)),
    callsPerHour: Math.round(rows.filter((r) => r.tier === tier).reduce((s, r) => s + r.callsPerHour, 0)),
  }));
  // Rounding intervals up only lowers the calls; the tolerance absorbs floating point in the solved factor.
  const fits = callsPerHour <= allowedPerHour + 1e-6;
  const plan = {
    profile,
    tiers: tierPlans,
    excluded,
    rows,
    budgets,
    leftoverPerHour: Math.round(leftoverPerHour),
    requestedPerHour: Math.round(requested),
    callsPerHour: Math.round(callsPerHour),
    budgetPerHour,
    allowedPerHour,
    stretch: Math.max(1, ...tiers.map((t) => stretches[t])),
    intervals,
    fits,
  };
  return { ...plan, refusal: fits ? [] : refusalReasons(plan, input, tierCost) };
}

/**
 * The stretch of each tier: none when everything fits; otherwise the least protected tier first, just enough
 * to fit or up to its bound, then the next. A tier with no fixed calls frees nothing and is passed over.
 */
function stretchTiers(tiers: readonly FamilyPriority[], cost: (t: FamilyPriority) => number, allowed: number): Record<FamilyPriority, number> {
  const stretch: Record<FamilyPriority, number> = { availability: 1, standard: 1, full: 1 };
  const total = (): number => tiers.reduce((s, t) => s + cost(t) / stretch[t], 0);
  if (total() <= allowed) return stretch;
  for (const tier of [...tiers].reverse()) {
    const own = cost(tier);
    if (own === 0) continue;
    const room = allowed - (total() - own / stretch[tier]);
    const needed = room > 0 ? own / room : Infinity;
    if (needed <= MAX_STRETCH[tier]) {
      stretch[tier] = Math.max(1, needed);
      return stretch;
    }
    stretch[tier] = MAX_STRETCH[tier];
  }
  return stretch;
}

/** Every reason a plan cannot fit (each tier's calls at its bound) and what would make it fit. */
function refusalReasons(plan: Omit<Plan, 'refusal'>, input: PlanInput, tierCost: (t: FamilyPriority) => number): string[] {
  const atBound = (tiers: readonly FamilyPriority[]): number => tiers.reduce((s, t) => s + tierCost(t) / MAX_STRETCH[t], 0);
  const needed = atBound(plan.tiers.map((t) => t.tier));
  const perToken = input.limitPerToken * input.share;
  const lines = [
    `with every tier at its largest stretch the ${plan.profile} profile needs ${num(Math.ceil(needed))} calls/hour, over the ${num(plan.allowedPerHour)} allowed `
    + `(${input.tokens} token(s) × MIST_RATE_LIMIT ${input.limitPerToken} × MIST_BUDGET_SHARE ${input.share}):`,
    ...plan.tiers.filter((t) => t.requestedPerHour > 0).map((t) => `  ${t.tier} (${t.families.join(', ')}): ${num(tierCost(t.tier) / MAX_STRETCH[t.tier])} calls/hour `
      + `at ×${MAX_STRETCH[t.tier]} (${num(t.requestedPerHour)} at the configured intervals)`),
    `fits with ${Math.ceil(needed / perToken)} token(s) of ${input.limitPerToken} calls/hour (MIST_API_TOKENS), or with longer COLLECTOR_INTERVALS or fewer orgs (MIST_ORG_ID)`,
  ];
  const smaller = TIERS.slice(0, TIERS.indexOf(plan.profile)).filter((p) => atBound(tiersOf(p)) <= plan.allowedPerHour);
  const fitting = smaller.at(-1);
  lines.push(fitting
    ? `COLLECTOR_PROFILE=${fitting} fits (${num(Math.ceil(atBound(tiersOf(fitting))))} calls/hour at the largest stretch)`
    : `no smaller COLLECTOR_PROFILE fits either: availability alone needs ${num(Math.ceil(atBound(['availability'])))} calls/hour at ×${MAX_STRETCH.availability}`);
  return lines;
}

/** The stretched tiers and their factors, for the collector's log ({ standard: 3.64 }). */
export function stretchByTier(plan: Plan): Record<string, number> {
  return Object.fromEntries(plan.tiers.filter((t) => t.stretch > 1).map((t) => [t.tier, Number(t.stretch.toFixed(3))]));
}

const num = (n: number): string => Math.round(n).toLocaleString('en-US');
const factor = (s: number): string => `×${s.toFixed(2)}`;

/** A human-readable table of the plan (the `plan` command prints it; the collector logs it when it refuses). */
export function formatPlan(plan: Plan, orgNames: ReadonlyMap<string, string> = new Map()): string {
  const lines: string[] = [];
  const pad = (s: string | number, n: number): string => String(s).padStart(n);
  lines.push(`${'org'.padEnd(38)}${'family'.padEnd(12)}${'tier'.padEnd(13)}${pad('calls/cycle', 12)}${pad('interval s', 12)}${pad('stretch', 9)}${pad('calls/hour', 12)}${pad('share', 8)}`);
  for (const r of plan.rows) {
    // A budgeted family's row shows its ceiling (≤), not the 0 fixed calls it is planned with.
    const budget = plan.budgets[r.family];
    const [upTo, perCycle, perHour] = budget === undefined ? ['', r.callsPerCycle, r.callsPerHour] : ['≤', budget, (budget * 3600) / r.intervalSeconds];
    lines.push(`${(orgNames.get(r.orgId) ?? r.orgId).slice(0, 36).padEnd(38)}${r.family.padEnd(12)}${r.tier.padEnd(13)}${pad(`${upTo}${perCycle}`, 12)}${pad(r.intervalSeconds, 12)}`
      + `${pad(r.stretch > 1 ? factor(r.stretch) : '-', 9)}${pad(`${upTo}${perHour.toFixed(1)}`, 12)}${pad(`${upTo}${((100 * perHour) / plan.budgetPerHour).toFixed(1)}%`, 8)}`);
  }
  const perCycle = plan.rows.reduce((s, r) => s + r.callsPerCycle, 0);
  lines.push('');
  lines.push(`calls per full cycle (every family once): ${perCycle}`);
  lines.push(`steady state: ${plan.callsPerHour} calls/hour = ${((100 * plan.callsPerHour) / plan.budgetPerHour).toFixed(1)}% of the ${plan.budgetPerHour}/hour budget (allowed: ${plan.allowedPerHour}, ${((100 * plan.allowedPerHour) / plan.budgetPerHour).toFixed(0)}%)`);
  for (const [family, calls] of Object.entries(plan.budgets)) {
    lines.push(`${family}: budgeted, up to ${calls} calls per cycle per org (its share of the ${plan.leftoverPerHour} calls/hour left)`);
  }
  lines.push('', ...formatProfile(plan));
  if (!plan.fits) lines.push('', 'REFUSED: the plan does not fit the API budget even with every tier stretched to its bound:', ...plan.refusal.map((l) => `  ${l}`));
  return lines.join('\n');
}

/** The profile, its tiers (protected first) with their stretch, what is not collected, and why anything was stretched. */
export function formatProfile(plan: Plan): string[] {
  const lines = [`profile: ${plan.profile} (COLLECTOR_PROFILE), tiers protected first; when the budget is short the lowest tier is stretched first, availability last, each up to its bound:`];
  for (const t of plan.tiers) {
    const effect = t.requestedPerHour === 0 ? 'no fixed calls: not stretched'
      : t.stretch > 1 ? `stretched ${factor(t.stretch)} (bound ×${t.maxStretch}): ${num(t.requestedPerHour)} → ${num(t.callsPerHour)} calls/hour`
        : `as configured (bound ×${t.maxStretch}): ${num(t.callsPerHour)} calls/hour`;
    lines.push(`  ${t.tier.padEnd(13)}${t.families.join(', ').padEnd(44)} ${effect}`);
  }
  if (plan.excluded.length > 0) {
    lines.push(`  not collected by the ${plan.profile} profile: ${plan.excluded.map((e) => `${e.family} (${e.tier})`).join(', ')}`);
  }
  const stretched = plan.tiers.filter((t) => t.stretch > 1);
  if (stretched.length === 0) return lines;
  lines.push(`stretched: the configured intervals need ${num(plan.requestedPerHour)} calls/hour, over the ${num(plan.allowedPerHour)} allowed`);
  for (const t of stretched) {
    const moved = plan.rows.filter((r, i, all) => r.tier === t.tier && r.stretch > 1 && all.findIndex((o) => o.family === r.family) === i);
    lines.push(`  ${t.tier} ${factor(t.stretch)}: ${moved.map((r) => `${r.family} ${r.requestedIntervalSeconds} s → ${r.intervalSeconds} s`).join(', ')}`);
  }
  const kept = plan.tiers.filter((t) => t.stretch === 1 && t.requestedPerHour > 0).map((t) => t.tier);
  if (kept.length > 0) lines.push(`  kept at their configured intervals: ${kept.join(', ')}`);
  return lines;
}
