import { OrgRecordSchema, type OrgRecord } from '../../collect/records.js';
import { defineRecords } from '../define-records.js';

export const orgRecords = defineRecords<OrgRecord>('org', OrgRecordSchema);
