import { CircuitsRecordSchema, type CircuitsRecord } from '../../collect/records.js';
import { defineRecords } from '../define-records.js';

export const circuitsRecords = defineRecords<CircuitsRecord>('circuits', CircuitsRecordSchema);
