import { EventsRecordSchema, type EventsRecord } from '../../collect/records.js';
import { defineRecords } from '../define-records.js';

export const eventsRecords = defineRecords<EventsRecord>('events', EventsRecordSchema);
