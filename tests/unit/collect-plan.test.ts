import { describe, expect, it } from 'vitest';
import { FAMILIES, SIZE_PROBES } from '../../src/families/registry.js';
import { MAX_STRETCH, formatPlan, planBudget } from '../../src/collect/plan.js';

/** The default org of the simulator and of our source material: 3,208 sites. */
const SIZE_3208 = { sites: 3208, sitegroups: 14, gateways: 3208, 'wan-ports': 14_008, 'vpn-peers': 19_652 };
const defaults = FAMILIES.map((family) => ({ family, intervalSeconds: family.defaultIntervalSeconds }));

describe('planBudget', () => {
  it('sizes an org by exactly the probes the families declare', () => {
    expect(Object.keys(SIZE_3208).sort()).toEqual([...SIZE_PROBES.keys()].sort());
  });

  it('fits the default schedule for 3,208 sites in 80% of one token', () => {
    const plan = planBudget({ jobs: defaults, orgs: [{ orgId: 'o', size: SIZE_3208 }], tokens: 1, limitPerToken: 5000, share: 0.8 });
    const perCycle = Object.fromEntries(plan.rows.map((r) => [r.family, r.callsPerCycle]));
    expect(perCycle).toEqual({
      org: 1, sites: 5, gateways: 8, 'wan-ports': 15, 'vpn-peers': 20, circuits: 0, sle: 7, 'sle-details': 0, alarms: 2, events: 1,
    });
    expect(plan.stretch).toBe(1);
    expect(plan.fits).toBe(true);
    // org 1/h + sites 5/h + gateways 8×30/h + wan-ports 15×60/h + vpn-peers 20×30/h + sle 7×6/h + alarms 2×30/h + events 1×60/h
    expect(plan.callsPerHour).toBe(1 + 5 + 240 + 900 + 600 + 42 + 60 + 60);
    expect(plan.callsPerHour).toBeLessThanOrEqual(plan.allowedPerHour);
    expect(formatPlan(plan)).toMatch(/calls per full cycle \(every family once\): 59/);
    // The budgeted row shows its ceiling, not 0.
    expect(formatPlan(plan)).toMatch(/sle-details\s+full\s+≤523\s+900\s+-\s+≤2092\.0\s+≤41\.8%/);
    // The deep dive gets what is left of the 80%: 4,000 − 1,908 = 2,092 calls/hour, 523 per 15-minute cycle.
    expect(plan.leftoverPerHour).toBe(2092);
    expect(plan.budgets).toEqual({ 'sle-details': 523 });
    expect(plan.callsPerHour + plan.budgets['sle-details']! * (3600 / 900)).toBeLessThanOrEqual(plan.allowedPerHour);
  });

  it('stretches the standard tier to its bound before the availability tier when the schedule does not fit', () => {
    // 1,908 calls/hour against 800: standard (703) at ×4 leaves 800 − 175.75 for availability (1,205): ×1.93.
    const plan = planBudget({ jobs: defaults, orgs: [{ orgId: 'o', size: SIZE_3208 }], tokens: 1, limitPerToken: 1000, share: 0.8 });
    expect(plan.tiers.find((t) => t.tier === 'standard')!.stretch).toBe(MAX_STRETCH.standard);
    const availability = plan.tiers.find((t) => t.tier === 'availability')!.stretch;
    expect(availability).toBeCloseTo(1205 / (800 - 703 / 4), 5);
    expect(plan.intervals['wan-ports']).toBe(Math.ceil(60 * availability));
    expect(plan.intervals['vpn-peers']).toBe(120 * MAX_STRETCH.standard);
    expect(plan.callsPerHour).toBeLessThanOrEqual(800);
    expect(plan.fits).toBe(true);
    expect(formatPlan(plan)).toMatch(/availability ×1\.93: sites 3600 s → 6950 s, gateways 120 s → 232 s, wan-ports 60 s → 116 s, events 60 s → 116 s/);
  });

  it('refuses when even every tier at ×4 does not fit', () => {
    const plan = planBudget({ jobs: defaults, orgs: [{ orgId: 'o', size: SIZE_3208 }], tokens: 1, limitPerToken: 250, share: 0.8 });
    expect(plan.stretch).toBe(MAX_STRETCH.availability);
    expect(plan.fits).toBe(false);
    expect(formatPlan(plan)).toMatch(/REFUSED/);
  });

  it('scales with tokens and orgs', () => {
    const two = planBudget({ jobs: defaults, orgs: [{ orgId: 'a', size: SIZE_3208 }, { orgId: 'b', size: SIZE_3208 }], tokens: 2, limitPerToken: 5000, share: 0.8 });
    expect(two.callsPerHour).toBe(2 * 1908);
    expect(two.allowedPerHour).toBe(8000);
  });
});
