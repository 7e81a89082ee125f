import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import type { Plan } from './plan.js';

/**
 * When a collector becomes active for its orgs, it retires what its profile no longer collects (COLLECTOR_PROFILE
 * made smaller): those families' data and freshness would otherwise stay in the store (metadata has no TTL) and
 * MistDataStale would warn about data nobody collects any more. Only the profile's excluded families of this
 * collector's own orgs, whose locks it holds: nothing another collector writes. Their state and counters stay
 * (store.retireFamily), so a larger profile later resumes from where they stopped. Best effort: a failure is
 * logged and tried again at the next takeover.
 */
export async function retireUncollected(store: Store, orgIds: readonly string[], plan: Pick<Plan, 'excluded' | 'profile'>, log: Logger): Promise<void> {
  const excluded = new Set(plan.excluded.map((e) => e.family));
  if (excluded.size === 0) return;
  const orgs = new Set(orgIds);
  try {
    const retired = (await store.listFamilies()).filter((k) => orgs.has(k.orgId) && excluded.has(k.family));
    for (const key of retired) await store.retireFamily(key);
    if (retired.length > 0) log.info({ profile: plan.profile, retired }, 'retired families this profile does not collect: their series and freshness are no longer served');
  } catch (err) {
    log.warn({ err }, 'could not retire the families this profile does not collect; tried again at the next takeover');
  }
}
