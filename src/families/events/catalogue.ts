import type { FamilyCatalogue, WithOrg } from '../../metrics/types.js';
import { COUNTER_LABELS, GATEWAY_EVENTS, GATEWAY_PORT_FLAPS } from '../../store/counters.js';
import { eventsRecords, type EventsRecord, type PortFlapRecord } from './records.js';

const SRC = 'GET /api/v1/orgs/{org_id}/devices/events/search?device_type=gateway';
const stored = 'Cached: counted by the collector (events family), each event once, and kept in the store, so monotonic across collector restarts; events before the collector\'s first cycle are not counted.';

type R = WithOrg<EventsRecord>;
/** Only called on records the group's `select` accepted. */
const port = (r: R): WithOrg<PortFlapRecord> => r as WithOrg<PortFlapRecord>;

/**
 * Gateway device events: per-port flap counters and events by type. The family's port records render no metric
 * of their own (a port's last change is the wan-ports family's mist_wan_port_last_flapped_timestamp_seconds, one
 * last-flap metric per port); their group only says which ports are live, so the flap counters of a port that
 * left the wan-ports snapshot (a decommissioned gateway) leave /metrics with it (src/metrics/counter-liveness.ts).
 */
export const eventsCatalogue: FamilyCatalogue<EventsRecord> = {
  family: 'events',
  schema: eventsRecords.schema,
  groups: [
    {
      select: (r) => r.kind === 'port',
      labels: ['org_id', 'site_id', 'mac', 'port_id'],
      labelValues: (r) => { const p = port(r); return [p.org_id, p.site_id, p.mac, p.port_id]; },
      metrics: [],
    },
  ],
  counters: [
    { name: 'mist_wan_port_flaps_total', unit: 'count', group: GATEWAY_PORT_FLAPS, labels: COUNTER_LABELS[GATEWAY_PORT_FLAPS],
      help: `Port state changes of a gateway port: each GW_PORT_DOWN and each GW_PORT_UP event counts 1 (${SRC} fields type, mac, port_id); WAN ports of the current wan-ports snapshot only, starting at 0. The port's last change is mist_wan_port_last_flapped_timestamp_seconds (wan-ports family). ${stored}` },
    { name: 'mist_gateway_events_total', unit: 'count', group: GATEWAY_EVENTS, labels: COUNTER_LABELS[GATEWAY_EVENTS],
      help: `Gateway device events by event type: port, VPN path and peer, tunnel, BGP neighbour up/down, cloud disconnect/connect (${SRC} field type). ${stored}` },
  ],
};
