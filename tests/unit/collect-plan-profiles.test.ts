import { describe, expect, it } from 'vitest';
import type { FamilyPriority } from '../../src/collect/family.js';
import { probesFor } from '../../src/collect/measure.js';
import { MAX_STRETCH, formatPlan, formatProfile, planBudget, type Plan } from '../../src/collect/plan.js';
import { PROFILES, TIERS, collectsTier, tiersOf } from '../../src/collect/profile.js';
import { loadConfig } from '../../src/config/index.js';
import { FAMILIES } from '../../src/families/registry.js';

/**
 * Collection profiles and tiers in the budget plan (src/collect/plan.ts): the lowest tier is stretched first, up
 * to its bound, then the next; availability intervals stay as configured until every lower tier is at its bound,
 * and the plan is refused only when even every tier at its bound does not fit.
 */

/** The simulator's default org (3,208 sites), as measured by the collector's size probes. */
const SIZE_3208 = { sites: 3208, sitegroups: 14, gateways: 3208, 'wan-ports': 14_008, 'vpn-peers': 19_652 };
const defaults = FAMILIES.map((family) => ({ family, intervalSeconds: family.defaultIntervalSeconds }));
const ORG = [{ orgId: 'o', size: SIZE_3208 }];
// At the default intervals: availability (sites 5, gateways 240, wan-ports 900, events 60; circuits derived) and
// standard (org 1, vpn-peers 600, sle 42, alarms 60); full (sle-details) is budgeted: no fixed calls.
const AVAILABILITY = 5 + 240 + 900 + 60;
const STANDARD = 1 + 600 + 42 + 60;

const plan = (limitPerToken: number, profile?: (typeof PROFILES)[number], tokens = 1): Plan =>
  planBudget({ jobs: defaults, orgs: ORG, tokens, limitPerToken, share: 0.8, ...(profile ? { profile } : {}) });
const tier = (p: Plan, t: FamilyPriority) => p.tiers.find((x) => x.tier === t)!;
const byTier = (t: FamilyPriority): string[] => FAMILIES.filter((f) => f.priority === t).map((f) => f.name);

describe('tiers and profiles', () => {
  it('profiles collect their own tier and every more protected one', () => {
    expect(tiersOf('availability')).toEqual(['availability']);
    expect(tiersOf('standard')).toEqual(['availability', 'standard']);
    expect(tiersOf('full')).toEqual([...TIERS]);
    expect(collectsTier('standard', 'full')).toBe(false);
  });

  it('COLLECTOR_PROFILE takes the three profiles, default full; anything else is refused, listed with the other problems', () => {
    const load = (env: Record<string, string>) => loadConfig(env, { envFile: '/nonexistent' });
    expect(load({}).collector.profile).toBe('full');
    expect(load({ COLLECTOR_PROFILE: 'availability' }).collector.profile).toBe('availability');
    expect(() => load({ COLLECTOR_PROFILE: 'minimal', MIST_RATE_LIMIT: 'lots' }))
      .toThrow(/COLLECTOR_PROFILE: must be one of availability, standard, full[\s\S]*MIST_RATE_LIMIT|MIST_RATE_LIMIT[\s\S]*COLLECTOR_PROFILE: must be one of availability, standard, full/);
  });

  it('plans only the profile\'s families, lists the others as not collected, and measures only their probes', () => {
    const p = plan(5000, 'availability');
    expect(Object.keys(p.intervals).sort()).toEqual(byTier('availability').sort());
    expect(new Set(p.rows.map((r) => r.family))).toEqual(new Set(byTier('availability')));
    expect(p.excluded.map((e) => e.family).sort()).toEqual([...byTier('standard'), ...byTier('full')].sort());
    expect(p.requestedPerHour).toBe(AVAILABILITY);
    expect(p.budgets).toEqual({});
    // No count call for a family the profile leaves out (vpn-peers' probe), and every planned cost computes from the rest.
    for (const profile of PROFILES) {
      const probes = probesFor(profile);
      const size = Object.fromEntries([...probes.keys()].map((k) => [k, SIZE_3208[k as keyof typeof SIZE_3208]]));
      expect(() => planBudget({ jobs: defaults, orgs: [{ orgId: 'o', size }], tokens: 1, limitPerToken: 5000, share: 0.8, profile }), profile).not.toThrow();
    }
    expect([...probesFor('availability').keys()]).not.toContain('vpn-peers');
    expect(plan(5000, 'standard').excluded).toEqual([{ family: 'sle-details', tier: 'full' }]);
    expect(plan(5000).profile).toBe('full');
    expect(plan(5000).excluded).toEqual([]);
  });
});

describe('a tight budget: lower tiers stretched first', () => {
  it('stretches only the standard tier while that suffices: availability intervals as configured', () => {
    // 1,600 allowed: availability's 1,205 leave 395 for standard's 703: ×1.78.
    const p = plan(2000);
    expect(tier(p, 'availability').stretch).toBe(1);
    expect(tier(p, 'standard').stretch).toBeCloseTo(STANDARD / (1600 - AVAILABILITY), 9);
    for (const f of byTier('availability')) expect(p.intervals[f], f).toBe(FAMILIES.find((x) => x.name === f)!.defaultIntervalSeconds);
    expect(p.intervals).toMatchObject({ 'vpn-peers': 214, sle: 1068, alarms: 214, org: 6408, 'sle-details': 900 });
    expect(p.callsPerHour).toBeLessThanOrEqual(p.allowedPerHour);
    expect(p.fits).toBe(true);
    // The budgeted deep dive gets what the stretched plan leaves (little), never more than the allowed budget.
    expect(p.callsPerHour + p.budgets['sle-details']! * (3600 / 900)).toBeLessThanOrEqual(p.allowedPerHour);
    expect(p.rows.find((r) => r.family === 'vpn-peers')).toMatchObject({ tier: 'standard', requestedIntervalSeconds: 120, intervalSeconds: 214 });
  });

  it('never stretches availability before every lower tier with calls is at its bound, across budgets', () => {
    for (let limit = 5000; limit >= 300; limit -= 25) {
      for (const tokens of [1, 2]) {
        const p = plan(limit, 'full', tokens);
        const uniform = p.requestedPerHour / p.allowedPerHour;
        if (tier(p, 'availability').stretch > 1) expect(tier(p, 'standard').stretch, `${limit}`).toBe(MAX_STRETCH.standard);
        if (uniform <= 1) expect(p.stretch, `${limit}`).toBe(1);
        // Refused exactly where one ×4 stretch of everything would not fit: the bound did not move, only the order.
        expect(p.fits, `${limit}×${tokens}`).toBe(uniform <= 4);
        if (p.fits) expect(p.callsPerHour, `${limit}`).toBeLessThanOrEqual(p.allowedPerHour);
        // Derived and budgeted families free nothing by waiting: never stretched.
        expect(p.intervals.circuits).toBe(60);
        expect(p.intervals['sle-details']).toBe(900);
      }
    }
  });

  it('with the availability profile the availability tier is the one stretched', () => {
    const p = plan(1000, 'availability');
    expect(tier(p, 'availability').stretch).toBeCloseTo(AVAILABILITY / 800, 9);
    expect(p.intervals['wan-ports']).toBe(Math.ceil(60 * AVAILABILITY / 800));
    expect(p.fits).toBe(true);
  });

  it('stretches per tier across orgs: two orgs cost twice, one factor per tier', () => {
    const p = planBudget({ jobs: defaults, orgs: [{ orgId: 'a', size: SIZE_3208 }, { orgId: 'b', size: SIZE_3208 }], tokens: 1, limitPerToken: 4000, share: 0.8 });
    expect(p.requestedPerHour).toBe(2 * (AVAILABILITY + STANDARD));
    expect(tier(p, 'availability').stretch).toBe(1);
    expect(tier(p, 'standard').stretch).toBeCloseTo((2 * STANDARD) / (3200 - 2 * AVAILABILITY), 9);
    expect(new Set(p.rows.filter((r) => r.family === 'sle').map((r) => r.intervalSeconds)).size).toBe(1);
  });
});

describe('what `plan` prints', () => {
  it('the profile, each tier with its families and stretch, and which intervals moved and why', () => {
    const text = formatProfile(plan(2000)).join('\n');
    expect(text).toMatch(/^profile: full \(COLLECTOR_PROFILE\)/);
    expect(text).toMatch(/^ {2}availability\s+sites, gateways, wan-ports, circuits, events\s+as configured \(bound ×4\): 1,205 calls\/hour$/m);
    expect(text).toMatch(/^ {2}standard\s+org, vpn-peers, sle, alarms\s+stretched ×1\.78 \(bound ×4\): 703 → 394 calls\/hour$/m);
    expect(text).toMatch(/^ {2}full\s+sle-details\s+no fixed calls: not stretched$/m);
    expect(text).toMatch(/^stretched: the configured intervals need 1,908 calls\/hour, over the 1,600 allowed$/m);
    expect(text).toContain('  standard ×1.78: org 3600 s → 6408 s, vpn-peers 120 s → 214 s, sle 600 s → 1068 s, alarms 120 s → 214 s');
    expect(text).toContain('  kept at their configured intervals: availability');
    // Each row names its tier and stretch.
    expect(formatPlan(plan(2000))).toMatch(/^o\s+vpn-peers\s+standard\s+20\s+214\s+×1\.78\s+/m);
    expect(formatPlan(plan(2000))).toMatch(/^o\s+wan-ports\s+availability\s+15\s+60\s+-\s+/m);
    expect(formatProfile(plan(5000, 'standard')).join('\n')).toContain('not collected by the standard profile: sle-details (full)');
    expect(formatProfile(plan(5000)).join('\n')).not.toMatch(/stretched:/);
  });

  it('refusal lists every tier\'s need at its bound and what would fit: more tokens, or a smaller profile', () => {
    // 400 allowed: every tier at ×4 needs 301.25 + 175.75 = 477; availability alone (302, rounded up) fits.
    const p = plan(500);
    expect(p.fits).toBe(false);
    expect(p.tiers.map((t) => t.stretch)).toEqual([4, 4, 1]);
    expect(p.refusal).toEqual([
      'with every tier at its largest stretch the full profile needs 477 calls/hour, over the 400 allowed (1 token(s) × MIST_RATE_LIMIT 500 × MIST_BUDGET_SHARE 0.8):',
      '  availability (sites, gateways, wan-ports, circuits, events): 301 calls/hour at ×4 (1,205 at the configured intervals)',
      '  standard (org, vpn-peers, sle, alarms): 176 calls/hour at ×4 (703 at the configured intervals)',
      'fits with 2 token(s) of 500 calls/hour (MIST_API_TOKENS), or with longer COLLECTOR_INTERVALS or fewer orgs (MIST_ORG_ID)',
      'COLLECTOR_PROFILE=availability fits (302 calls/hour at the largest stretch)',
    ]);
    expect(formatPlan(p)).toContain('REFUSED: the plan does not fit the API budget even with every tier stretched to its bound:\n  with every tier');
    expect(plan(250).refusal.at(-1)).toBe('no smaller COLLECTOR_PROFILE fits either: availability alone needs 302 calls/hour at ×4');
    expect(plan(500, 'availability').fits).toBe(true);
  });
});
