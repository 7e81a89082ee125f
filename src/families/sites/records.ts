import { SiteRecordSchema, type SiteRecord } from '../../collect/records.js';
import { defineRecords } from '../define-records.js';

export const sitesRecords = defineRecords<SiteRecord>('sites', SiteRecordSchema);
