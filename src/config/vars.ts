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
    description: 'Log format: json (one object per line) or pretty (plain text for terminals).',
    default: 'json',
    secret: false,
  },
  {
    name: 'MIST_API_TOKENS',
    description: 'Comma-separated Mist API tokens; empty runs against the built-in simulator (demo mode).',
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
] as const satisfies readonly EnvVar[];

export type EnvName = (typeof ENV_VARS)[number]['name'];
