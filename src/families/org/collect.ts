import { getOrg } from '../../mist/endpoints.js';
import type { Family } from '../../collect/family.js';
import type { OrgRecord } from './records.js';

export interface OrgIn {
  readonly id?: string | undefined;
  readonly name: string;
}

/** The spec does not require `id` on the org; the path's org id stands in. */
export function mapOrg(o: OrgIn, orgId: string): OrgRecord {
  return { org_id: o.id ?? orgId, name: o.name };
}

/** The org itself (its name, for `_info`): one call an hour. */
export const orgFamily: Family<OrgRecord> = {
  name: 'org',
  defaultIntervalSeconds: 3600,
  callsPerCycle: () => 1,
  async *run(ctx) {
    const org = await ctx.api.getOne(getOrg(ctx.orgId), { signal: ctx.signal });
    yield { records: [mapOrg(org, ctx.orgId)], dropped: {}, cursor: null };
  },
};
