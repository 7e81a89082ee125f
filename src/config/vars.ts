import type { FamilyPriority } from '../collect/family.js';
import { FAMILIES, FAMILY_NAMES } from '../families/registry.js';

/** The families of a tier, for COLLECTOR_PROFILE's description (the registry is the only list of them). */
const tierFamilies = (tier: FamilyPriority): string => FAMILIES.filter((f) => f.priority === tier).map((f) => f.name).join(', ');

/**
 * Every environment variable the program reads, declared once. The section schemas
 * (schema.ts) consume exactly these names and .env.example documents exactly these
 * names; unit tests hold all three together so they cannot drift.
 */
export interface EnvVar {
  readonly name: string;
  readonly description: string;
  /** Raw string applied before validation; undefined means "unset" (the schema decides). */
  readonly default: string | undefined;
  /** Never echoed in errors and scrubbed from logs; secretsOf() must cover it (tested). */
  readonly secret: boolean;
}

export const ENV_VARS = [
  {
    name: 'LOG_LEVEL',
    description: 'Log level: fatal, error, warn, info, debug or trace.',
    default: 'info',
    secret: false,
  },
  {
    name: 'LOG_FORMAT',
    description: 'Log format: auto (plain text when stdout is a terminal, json otherwise), json (one object per line) or text (plain lines for people; pretty is an alias).',
    default: 'auto',
    secret: false,
  },
  {
    name: 'MIST_API_TOKENS',
    description: 'Comma-separated Mist API tokens; empty runs against the built-in simulator (demo mode).',
    default: undefined,
    secret: true,
  },
  {
    name: 'MIST_API_TOKEN',
    description: 'The same as MIST_API_TOKENS (comma-separated), under the name Mist\'s own tools use; set either. Both set to different tokens is a configuration error.',
    default: undefined,
    secret: true,
  },
  {
    name: 'MIST_HOST',
    description: 'Mist regional API host (e.g. api.eu.mist.com) or a full http(s) URL such as the simulator.',
    default: 'api.mist.com',
    secret: false,
  },
  {
    name: 'MIST_ORG_ID',
    description: 'Comma-separated Mist org UUIDs to collect; empty collects every org the tokens can see.',
    default: undefined,
    secret: false,
  },
  {
    name: 'REDIS_URL',
    description: 'redis:// or rediss:// URL of the snapshot store (a password in the URL is allowed).',
    default: undefined,
    secret: true,
  },
  {
    name: 'REDIS_SENTINELS',
    description: 'Comma-separated host:port of Redis Sentinels (port default 26379): the store asks them where the master REDIS_SENTINEL_MASTER is and follows its failovers. REDIS_URL then gives only the data nodes\' user, password, db and TLS (its host:port is not dialled; write the master name there). Empty: REDIS_URL is the server (docs/store.md#redis-sentinel).',
    default: undefined,
    secret: false,
  },
  {
    name: 'REDIS_SENTINEL_MASTER',
    description: 'Name of the master the Sentinels monitor (`sentinel monitor <name> …`); required with REDIS_SENTINELS.',
    default: undefined,
    secret: false,
  },
  {
    name: 'REDIS_SENTINEL_PASSWORD',
    description: 'Password of the Sentinels themselves (their requirepass), when they have one; the data nodes\' password goes in REDIS_URL.',
    default: undefined,
    secret: true,
  },
  {
    name: 'REDIS_WAIT_REPLICAS',
    description: 'Replicas that must confirm (Redis WAIT) each collector write a failover must not lose (publish, counter increments, the leader lock) before it counts as done; unconfirmed writes fail and are retried. At most the replicas connected to the master (a master left alone after a failover goes on). 0–16; default 1 with REDIS_SENTINELS, 0 otherwise (0: nothing confirmed; a failover may lose the last writes).',
    default: undefined,
    secret: false,
  },
  {
    name: 'SIM_SITES',
    description: 'Default for `sim --sites`: number of simulated sites.',
    default: '3208',
    secret: false,
  },
  {
    name: 'SIM_SEED',
    description: 'Default for `sim --seed`: seed of the simulated org (same seed, same org).',
    default: 'mist-wan',
    secret: false,
  },
  {
    name: 'SIM_PORT',
    description: 'Default for `sim --port`: TCP port the simulator listens on.',
    default: '9730',
    secret: false,
  },
  {
    name: 'SIM_SPEED',
    description: 'Default for `sim --speed`: simulated seconds per real second.',
    default: '1',
    secret: false,
  },
  {
    name: 'MIST_RATE_LIMIT',
    description: 'API calls Mist allows per token per hour (Mist: 5000).',
    default: '5000',
    secret: false,
  },
  {
    name: 'MIST_BUDGET_SHARE',
    description: 'Share of the tokens\' total hourly budget steady-state collection may use (0.05–1); the rest absorbs retries and other API users.',
    default: '0.8',
    secret: false,
  },
  {
    name: 'COLLECTOR_INTERVALS',
    description: `Per-family collection intervals in seconds overriding the defaults, e.g. "wan-ports=60,gateways=120" (families: ${FAMILY_NAMES.join(', ')}; docs/collector.md).`,
    default: undefined,
    secret: false,
  },
  {
    name: 'COLLECTOR_PROFILE',
    description: `Which families are collected, by tier (each family declares its own): availability (${tierFamilies('availability')}: is a site up, on which circuit, did it flap or fail over), standard (availability plus ${tierFamilies('standard')}) or full (standard plus ${tierFamilies('full')}). When the budget is short the lowest tier collected is stretched first and availability last (docs/collector.md#profiles-and-tiers).`,
    default: 'full',
    secret: false,
  },
  {
    name: 'COLLECTOR_CONCURRENCY',
    description: 'Mist API calls in flight at once.',
    default: '4',
    secret: false,
  },
  {
    name: 'COLLECTOR_LOCK_TTL_SECONDS',
    description: 'TTL of the active-collector lock in Redis; a standby takes over within ~1.5 TTL of the active one dying.',
    default: '15',
    secret: false,
  },
  {
    name: 'REGION_GROUP_PREFIX',
    description: 'Site groups whose name starts with this prefix are regions (the prefix is stripped: "Region - West" gives region "West"). Empty: none by prefix.',
    default: 'Region - ',
    secret: false,
  },
  {
    name: 'REGION_GROUPS',
    description: 'Comma-separated site group names that are regions (used as they are). Sites in no region group get region "unknown".',
    default: undefined,
    secret: false,
  },
  {
    name: 'CIRCUIT_ROLES',
    description: 'Roles of gateway WAN circuits, in order: "role=name|name,…"; each rule gives its role to one port per gateway, the first alternative matching its wan_name or port_id (case-insensitive, * wildcard). Ports no rule takes: the first non-LTE port is primary if none is, other non-LTE ports secondary, LTE backup. "none": that positional default only.',
    default: 'primary=wan1|wan|mpls,secondary=wan2|mpls|lte,tertiary=wan3|lte',
    secret: false,
  },
  {
    name: 'SLE_DEGRADED_THRESHOLD',
    description: 'SLE scores (0–1) below this mark a site\'s SLE degraded: the sle-details family then fetches its classifiers, impacted interfaces or gateways and threshold, worst first, within the API budget the other families leave. Above 0, at most 1.',
    default: '0.9',
    secret: false,
  },
  {
    name: 'CIRCUIT_INVENTORY_FILE',
    description: 'Path of an optional circuit inventory (.csv, .yaml or .yml): contracted down/up bandwidth, provider, circuit id and role per circuit, keyed by site (id or name) and port (port_id or wan_name); overrides the port speed and CIRCUIT_ROLES where given. Re-read on change; a bad file stops start-up with every problem listed (docs/collector.md#circuit-inventory).',
    default: undefined,
    secret: false,
  },
  {
    name: 'SITE_INCLUDE',
    description: 'Site filter: collect only the sites matching one of these comma-separated terms (empty: every site). Terms: id:<site id>, name:<glob> (the site name), group:<glob> (a site group name); globs are case-insensitive, * any run, ? one character, \\ escapes (\\, for a comma). SITE_EXCLUDE wins. Applies to every org collected (docs/collector.md#site-filters).',
    default: undefined,
    secret: false,
  },
  {
    name: 'SITE_EXCLUDE',
    description: 'Site filter: never collect the sites matching one of these comma-separated terms (same terms as SITE_INCLUDE; wins over it). Excluded sites cost no per-site API call and have no series; org-level calls are unchanged (Mist returns every site\'s rows, the collector drops them).',
    default: undefined,
    secret: false,
  },
  {
    name: 'STORE_KEY_PREFIX',
    description: 'Prefix of every store key (versioned; change it to run several deployments on one Redis).',
    default: 'mist:v1:',
    secret: false,
  },
  {
    name: 'STORE_COMMAND_TIMEOUT_SECONDS',
    description: 'Bound of every Redis call of the collector, the exporter and its render worker (0.1–300): a Redis that stops answering without closing the connection fails calls after this long (the exporter then reports the store down) instead of hanging them.',
    default: '10',
    secret: false,
  },
  {
    name: 'EXPORTER_HOST',
    description: 'Address the exporter listens on: an IP address (0.0.0.0 or :: for every interface) or a host name.',
    default: '0.0.0.0',
    secret: false,
  },
  {
    name: 'EXPORTER_PORT',
    description: 'Port of the exporter\'s /metrics, /health, /ready and landing page.',
    default: '19730',
    secret: false,
  },
  {
    name: 'EXPORTER_REFRESH_SECONDS',
    description: 'How often the exporter reads the store for new snapshots (rendering happens only when one is new).',
    default: '5',
    secret: false,
  },
  {
    name: 'EXPORTER_RENDER_HEAP_MB',
    description: 'Heap limit of the render worker thread, in MiB (at least 128). V8 sizes the heap by it: a lower limit makes its garbage collector keep the heap smaller. Rendering 3,208 sites peaks at about 90 MiB, so 1024 leaves room for over 30,000. Keep it well above the need: a worker that reaches it usually fails its render (logged, the last rendering is kept), but Node can also abort the whole process (nodejs/node#47224).',
    default: '1024',
    secret: false,
  },
  {
    name: 'EXPORTER_RENDER_TIMEOUT_SECONDS',
    description: 'Deadline of one family\'s render (1–3600): past it the render is abandoned, the render worker ended, the last rendering kept and the refresh counted as a failed store read. Rendering the biggest family of 3,208 sites takes about 2 s.',
    default: '60',
    secret: false,
  },
  {
    name: 'EXPORTER_BEARER_TOKEN',
    description: 'When set, /metrics requires `Authorization: Bearer <token>` (Prometheus: authorization.credentials).',
    default: undefined,
    secret: true,
  },
  {
    name: 'EXPORTER_BASIC_AUTH',
    description: 'When set as user:password, /metrics accepts HTTP basic auth with these credentials (Prometheus: basic_auth).',
    default: undefined,
    secret: true,
  },
  {
    name: 'GRAFANA_URL',
    description: 'Base URL of the Grafana that has the mist-wan dashboards (e.g. http://grafana:3000): the landing page links each dashboard (/d/<uid>). Empty: the page names them without links.',
    default: undefined,
    secret: false,
  },
  {
    name: 'DOCS_URL',
    description: 'Base URL of this project\'s docs folder (e.g. https://github.com/<owner>/mist-wan-exporter/blob/main/docs): the landing page links runbooks, alerts, metrics and KPIs there. Empty: it names the files under docs/.',
    default: undefined,
    secret: false,
  },
] as const satisfies readonly EnvVar[];

export type EnvName = (typeof ENV_VARS)[number]['name'];
