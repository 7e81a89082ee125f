import { AlarmsRecordSchema, type AlarmsRecord } from '../../collect/records.js';
import { defineRecords } from '../define-records.js';

export const alarmsRecords = defineRecords<AlarmsRecord>('alarms', AlarmsRecordSchema);
