import type { FamilyContext, FamilyPage } from '../../collect/family.js';
import { getOrg } from '../../mist/endpoints.js';
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
export async function* collectOrg(ctx: FamilyContext): AsyncGenerator<FamilyPage<OrgRecord>> {
  const org = await ctx.api.getOne(getOrg(ctx.orgId), { signal: ctx.signal });
  yield { records: [mapOrg(org, ctx.orgId)], dropped: {}, cursor: null };
}
