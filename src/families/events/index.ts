import { eventsFamily } from '../../collect/families/events.js';
import { eventsCatalogue } from '../../metrics/catalogue/events.js';
import { defineFamily } from '../define.js';
import { eventsRecords } from './records.js';

export const events = defineFamily({
  ...eventsFamily,
  records: eventsRecords,
  priority: 'availability',
  catalogue: eventsCatalogue,
});
