import type { FamilyCatalogue } from '../../metrics/types.js';
import { orgRecords, type OrgRecord } from './records.js';

/** The org itself: its name, for joins on org_id. */
export const orgCatalogue: FamilyCatalogue<OrgRecord> = {
  family: 'org',
  schema: orgRecords.schema,
  groups: [
    {
      labels: ['org_id', 'org_name'],
      labelValues: (r) => [r.org_id, r.name],
      metrics: [
        { name: 'mist_org_info', type: 'gauge', unit: 'info', value: () => 1,
          help: 'Org metadata, value 1: its name (GET /api/v1/orgs/{org_id}). Cached by the collector (org family).' },
      ],
    },
  ],
};
