import { defineFamily } from '../define.js';
import { eventsCatalogue } from './catalogue.js';
import { collectEvents } from './collect.js';
import { eventsRecords } from './records.js';

/** The events family: everything about it, registered by one line in ../registry.ts. */
export const eventsFamily = defineFamily({
  name: 'events',
  records: eventsRecords,
  priority: 'availability',
  defaultIntervalSeconds: 60,
  callsPerCycle: () => 1,
  resumable: false,
  run: collectEvents,
  catalogue: eventsCatalogue,
});
