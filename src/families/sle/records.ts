import { SleRecordSchema, type SleRecord } from '../../collect/records.js';
import { defineRecords } from '../define-records.js';

export const sleRecords = defineRecords<SleRecord>('sle', SleRecordSchema);
