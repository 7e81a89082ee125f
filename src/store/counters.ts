/**
 * Monotonic counters kept in the store (Store.incrementCounters / readCounters): the collector adds to them,
 * exporters render them as Prometheus counters. A counter *group* (one store hash) is one metric; each field
 * of the group is one series, named by its labels encoded with `encodeLabels`.
 *
 * Field encoding: label names sorted, `name=value` joined with `|`; in values, `\`, `|` and `=` are escaped
 * with a backslash. Label names are Prometheus label names (no escaping needed). The encoding is canonical:
 * one set of labels has exactly one field, and `decodeLabels` refuses anything `encodeLabels` would not write.
 */

/** Every HTTP attempt the collector made to Mist. Labels: endpoint (the Endpoint name, e.g. `stats_ports_search`). */
export const API_REQUESTS = 'api_requests';
/** Attempts that failed. Labels: endpoint, reason (the MistError code: E_MIST_HTTP, E_MIST_TIMEOUT, E_MIST_RATE_LIMITED…). */
export const API_REQUEST_FAILURES = 'api_request_failures';
/** Attempts answered 429. Labels: token_fingerprint (never the token). */
export const API_RATE_LIMITED = 'api_rate_limited';

/**
 * Failovers per circuit: the gateway's active circuit moved from the primary circuit `port_id` to the non-primary
 * `to_port_id` (src/families/circuits/failovers.ts). Labels: org_id, site_id, mac, port_id, to_port_id.
 */
export const WAN_PORT_FAILOVERS = 'wan_port_failovers';
/** Moves of the gateway's active circuit from `port_id` to `to_port_id` (failovers, fail-backs, others). Same labels. */
export const WAN_PORT_ACTIVE_CHANGES = 'wan_port_active_changes';

/** Alarms seen for the first time (one per new alarm id). Labels: org_id, alarm_type, severity. */
export const ALARMS_SEEN = 'alarms_seen';
/** GW_PORT_DOWN and GW_PORT_UP events of a gateway port (a flap = a down or an up). Labels: org_id, site_id, mac, port_id. */
export const GATEWAY_PORT_FLAPS = 'gateway_port_flaps';
/** Gateway device events collected, by event type. Labels: org_id, event_type. */
export const GATEWAY_EVENTS = 'gateway_events';

/**
 * Seconds of history a counting family (events, alarms) could not count because Mist no longer served them:
 * between its last cursor and the start of the window Mist answered with. Labels: org_id, family.
 */
export const COLLECTOR_UNCOUNTED_GAP = 'collector_uncounted_gap';

/** The label names of each counter group, for the exporter's catalogue. */
export const COUNTER_LABELS = {
  [API_REQUESTS]: ['endpoint'],
  [API_REQUEST_FAILURES]: ['endpoint', 'reason'],
  [API_RATE_LIMITED]: ['token_fingerprint'],
  [WAN_PORT_FAILOVERS]: ['org_id', 'site_id', 'mac', 'port_id', 'to_port_id'],
  [WAN_PORT_ACTIVE_CHANGES]: ['org_id', 'site_id', 'mac', 'port_id', 'to_port_id'],
  [ALARMS_SEEN]: ['org_id', 'alarm_type', 'severity'],
  [GATEWAY_PORT_FLAPS]: ['org_id', 'site_id', 'mac', 'port_id'],
  [GATEWAY_EVENTS]: ['org_id', 'event_type'],
  [COLLECTOR_UNCOUNTED_GAP]: ['org_id', 'family'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export type CounterGroup = keyof typeof COUNTER_LABELS;
export type Labels = Readonly<Record<string, string>>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `{endpoint:'x', reason:'E'}` → `endpoint=x|reason=E`. Throws on no labels or an invalid label name. */
export function encodeLabels(labels: Labels): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) throw new RangeError('a counter field needs at least one label');
  return names
    .map((name) => {
      if (!LABEL_NAME.test(name)) throw new RangeError(`invalid label name ${JSON.stringify(name)}`);
      return `${name}=${(labels[name] ?? '').replace(/[\\|=]/g, (c) => `\\${c}`)}`;
    })
    .join('|');
}

/** The labels of a field written by `encodeLabels`; null for anything else (malformed, unsorted, duplicated). */
export function decodeLabels(field: string): Record<string, string> | null {
  const entries: [string, string][] = [];
  let i = 0;
  while (i <= field.length) {
    const eq = field.indexOf('=', i);
    if (eq < 0) return null;
    const name = field.slice(i, eq);
    if (!LABEL_NAME.test(name)) return null;
    const previous = entries.at(-1)?.[0];
    if (previous !== undefined && !(previous < name)) return null;
    let value = '';
    let j = eq + 1;
    for (; j < field.length && field[j] !== '|'; j += 1) {
      const c = field[j] ?? '';
      if (c === '=') return null;
      if (c === '\\') {
        const next = field[j + 1];
        if (next !== '\\' && next !== '|' && next !== '=') return null;
        value += next;
        j += 1;
      } else {
        value += c;
      }
    }
    entries.push([name, value]);
    i = j + 1; // past the '|' (or past the end: done)
  }
  return Object.fromEntries(entries);
}
