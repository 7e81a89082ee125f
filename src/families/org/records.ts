import { z } from 'zod';
import { defineRecords } from '../define-records.js';

export const OrgRecordSchema = z.object({
  org_id: z.string(),
  name: z.string(),
});

export type OrgRecord = z.infer<typeof OrgRecordSchema>;

/** The org family's stored records: what its snapshot holds, for every reader (collector joins, exporter). */
export const orgRecords = defineRecords<OrgRecord>('org', OrgRecordSchema);
