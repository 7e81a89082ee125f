import { defineFamily } from '../define.js';
import { eventsCatalogue } from './catalogue.js';
import { eventsFamily } from './collect.js';
import { eventsRecords } from './records.js';

export const events = defineFamily({
  ...eventsFamily,
  records: eventsRecords,
  priority: 'availability',
  catalogue: eventsCatalogue,
});
