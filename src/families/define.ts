import type { Family } from '../collect/family.js';
import type { Endpoint, MistApi } from '../mist/types.js';
import type { FamilyCatalogue } from '../metrics/types.js';
import type { RecordsDecl } from './define-records.js';

export type { FamilyPriority } from '../collect/family.js';

/** One count the budget plan needs (a limit=1 call at start-up), and what it counts (for `plan`). */
export interface SizeProbe {
  count(api: MistApi, orgId: string, signal?: AbortSignal): Promise<number>;
  /** Plural noun for the `plan` output, e.g. "gateway port rows". */
  readonly counts: string;
}

/** A size probe counting the rows of a Mist collection. */
export function sizeProbe<T>(endpoint: (orgId: string) => Endpoint<T>, counts: string): SizeProbe {
  return { counts, count: (api, orgId, signal) => api.count(endpoint(orgId), signal ? { signal } : {}) };
}

/**
 * Everything about one Mist data family, in its folder src/families/<name>/: what it stores (records), how it
 * collects (the collector's Family: intervals, cost, run), what the plan must count (sizeProbes) and what the
 * exporter renders (catalogue). Registered by one line in src/families/registry.ts.
 */
export interface FamilyModule<R = unknown> extends Family<R> {
  readonly records: RecordsDecl<R>;
  /** Counts of the org this family's callsPerCycle reads (keyed: OrgSize's keys); none for most families. */
  readonly sizeProbes: Readonly<Record<string, SizeProbe>>;
  readonly catalogue: FamilyCatalogue<R>;
}

export type FamilyModuleInput<R> = Omit<FamilyModule<R>, 'sizeProbes'> & { readonly sizeProbes?: Readonly<Record<string, SizeProbe>> };

/** Declares a family; its records, catalogue and name must agree (one name per concept). */
export function defineFamily<R>(module: FamilyModuleInput<R>): FamilyModule<R> {
  if (module.records.name !== module.name || module.catalogue.family !== module.name) {
    throw new Error(`family ${module.name}: records (${module.records.name}) and catalogue (${module.catalogue.family}) must carry its name`);
  }
  return Object.freeze({ ...module, sizeProbes: module.sizeProbes ?? {} });
}
