import { SleDetailsRecordSchema, type SleDetailsRecord } from '../../collect/records.js';
import { defineRecords } from '../define-records.js';

export const sleDetailsRecords = defineRecords<SleDetailsRecord>('sle-details', SleDetailsRecordSchema);
