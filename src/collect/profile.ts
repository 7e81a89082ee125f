import type { FamilyPriority } from './family.js';

/**
 * Collection profiles (COLLECTOR_PROFILE). A profile is named by the lowest tier it collects: `availability`
 * collects only the availability tier, `standard` the availability and standard tiers, `full` every tier. A
 * family's tier is its `priority`, declared in its own src/families/<name>/index.ts.
 */
export type CollectorProfile = FamilyPriority;

/** The tiers in the order they are protected: the first is stretched last when the budget is short. */
export const TIERS: readonly FamilyPriority[] = ['availability', 'standard', 'full'];

/** The profiles COLLECTOR_PROFILE accepts (the same words as the tiers). */
export const PROFILES = ['availability', 'standard', 'full'] as const satisfies readonly CollectorProfile[];

/** Every family collected, as before profiles existed: nothing an existing deployment collects goes missing. */
export const DEFAULT_PROFILE: CollectorProfile = 'full';

/** Does `profile` collect families of `tier`? */
export function collectsTier(profile: CollectorProfile, tier: FamilyPriority): boolean {
  return TIERS.indexOf(tier) <= TIERS.indexOf(profile);
}

/** The tiers `profile` collects, protected first. */
export function tiersOf(profile: CollectorProfile): FamilyPriority[] {
  return TIERS.filter((t) => collectsTier(profile, t));
}
