import { WanPortRecordSchema, type WanPortRecord } from '../../collect/records.js';
import { defineRecords } from '../define-records.js';

export const wanPortsRecords = defineRecords<WanPortRecord>('wan-ports', WanPortRecordSchema);
