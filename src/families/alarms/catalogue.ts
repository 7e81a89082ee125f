import type { FamilyCatalogue, WithOrg } from '../../metrics/types.js';
import { ALARMS_SEEN, COUNTER_LABELS } from '../../store/counters.js';
import { alarmsRecords, type AlarmsActiveRecord, type AlarmsRecord } from './records.js';

type R = WithOrg<AlarmsRecord>;
const SRC = 'GET /api/v1/orgs/{org_id}/alarms/search';
const isActive = (r: R): r is WithOrg<AlarmsActiveRecord> => r.kind === 'active';
const isCursor = (r: R): boolean => r.kind === 'cursor';
/** Only called on records the group's `select` accepted. */
const active = (r: R): WithOrg<AlarmsActiveRecord> => r as WithOrg<AlarmsActiveRecord>;

/**
 * Alarms: open alarms per (site, type, severity, group), and alarms seen by type and severity. The family's
 * state records (known alarms, cursor) are not rendered. The cursor record's group (one per org, no metric of its
 * own) keeps the alarms-seen totals live while the org is collected: an alarm type with nothing open or recently
 * resolved must not leave /metrics (increase() would miss its next alarm), only an org no longer collected.
 */
export const alarmsCatalogue: FamilyCatalogue<AlarmsRecord> = {
  family: 'alarms',
  schema: alarmsRecords.schema,
  groups: [
    { select: isCursor, labels: ['org_id'], labelValues: (r) => [r.org_id], metrics: [] },
    {
      select: isActive,
      labels: ['org_id', 'site_id', 'alarm_type', 'severity', 'group'],
      labelValues: (r) => { const a = active(r); return [a.org_id, a.site_id ?? '', a.type, a.severity, a.group]; },
      metrics: [
        { name: 'mist_alarms_active', type: 'gauge', unit: 'count', value: (r) => active(r).active,
          help: `Open alarms by site, alarm type (${SRC} field type), severity and group (field status open); 0 for a day after the last one of a kind resolved, then absent. Cached by the collector (alarms family), which re-reads alarms incrementally and deduplicates them by id.` },
      ],
    },
  ],
  counters: [
    { name: 'mist_alarms_seen_total', unit: 'count', group: ALARMS_SEEN, labels: COUNTER_LABELS[ALARMS_SEEN], liveBy: ['org_id'],
      help: `Alarms seen, counted once per new alarm id (${SRC} fields id, type, severity); updates of a known alarm are not counted, nor are the alarms of the day before the collector's first cycle. Cached: counted by the collector (alarms family) and kept in the store, so monotonic across collector restarts.` },
  ],
};
