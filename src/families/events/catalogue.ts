import { COUNTER_LABELS, GATEWAY_EVENTS, GATEWAY_PORT_FLAPS } from '../../store/counters.js';
import { eventsRecords, type EventsRecord } from './records.js';
import type { FamilyCatalogue } from '../../metrics/types.js';

const SRC = 'GET /api/v1/orgs/{org_id}/devices/events/search?device_type=gateway';
const stored = 'Cached: counted by the collector (events family), each event once, and kept in the store, so monotonic across collector restarts; events before the collector\'s first cycle are not counted.';

/**
 * Gateway device events: per-port flap counters and events by type. The family's state records (cursor, ports
 * with their latest flap) are not rendered: a port's last change is the wan-ports family's
 * mist_wan_port_last_flapped_timestamp_seconds (one last-flap metric per port).
 */
export const eventsCatalogue: FamilyCatalogue<EventsRecord> = {
  family: 'events',
  schema: eventsRecords.schema,
  groups: [],
  counters: [
    { name: 'mist_wan_port_flaps_total', unit: 'count', group: GATEWAY_PORT_FLAPS, labels: COUNTER_LABELS[GATEWAY_PORT_FLAPS],
      help: `Port state changes of a gateway port: each GW_PORT_DOWN and each GW_PORT_UP event counts 1 (${SRC} fields type, mac, port_id); WAN ports start at 0, a LAN port appears with its first event. The port's last change is mist_wan_port_last_flapped_timestamp_seconds (wan-ports family). ${stored}` },
    { name: 'mist_gateway_events_total', unit: 'count', group: GATEWAY_EVENTS, labels: COUNTER_LABELS[GATEWAY_EVENTS],
      help: `Gateway device events by event type: port, VPN path and peer, tunnel, BGP neighbour up/down, cloud disconnect/connect (${SRC} field type). ${stored}` },
  ],
};
