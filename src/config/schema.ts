import { z } from 'zod';
import { PROFILES } from '../collect/profile.js';
import { SimOptionsSchema } from '../sim/options.js';
import { LOG_FORMATS, LOG_LEVELS, basicAuth, circuitRoles, intervalMap, inventoryFile, linkBaseUrl, listenHost, mistBaseUrl, nameList, orgIdList, redisUrl, sentinelList, siteTerms, tokenList } from './fields.js';
import type { EnvName } from './vars.js';

/**
 * One section per concern. Each section reads env variables by their real names, so a
 * validation problem's path already names the variable; the transform gives the rest of
 * the program a shape that does not know about env naming.
 *
 * Adding a section: declare its variables in vars.ts, write `section({...}, build)` here
 * and add one line to ConfigSchema.
 */
function section<Shape extends { [K in EnvName]?: z.ZodType }, Out>(
  shape: Shape,
  build: (values: z.output<z.ZodObject<Shape>>, ctx: z.core.$RefinementCtx<z.output<z.ZodObject<Shape>>>) => Out,
) {
  return z.object(shape).transform(build);
}

export const LogSection = section(
  { LOG_LEVEL: z.enum(LOG_LEVELS), LOG_FORMAT: z.enum(LOG_FORMATS) },
  (v) => ({ level: v.LOG_LEVEL, format: v.LOG_FORMAT }),
);

/** MIST_API_TOKEN is the name Mist's own tools use: read like MIST_API_TOKENS; both set must agree. */
export const MistSection = section(
  { MIST_API_TOKENS: tokenList, MIST_API_TOKEN: tokenList, MIST_HOST: mistBaseUrl, MIST_ORG_ID: orgIdList },
  (v, ctx) => {
    const [plural, singular] = [v.MIST_API_TOKENS, v.MIST_API_TOKEN];
    const same = plural.length === singular.length && plural.every((t) => singular.includes(t));
    if (plural.length > 0 && singular.length > 0 && !same) {
      ctx.addIssue({
        code: 'custom',
        path: ['MIST_API_TOKEN'],
        message: 'differs from MIST_API_TOKENS: both are set, to different tokens; set only one (the two names mean the same)',
      });
    }
    // Which name the tokens came from, so messages about them name the variable the user set.
    const tokenVariable = plural.length === 0 && singular.length > 0 ? 'MIST_API_TOKEN' as const : 'MIST_API_TOKENS' as const;
    return { tokens: plural.length > 0 ? plural : singular, tokenVariable, baseUrl: v.MIST_HOST, orgIds: v.MIST_ORG_ID };
  },
);

/**
 * REDIS_URL selects the Redis store. With REDIS_SENTINELS the master is found through the Sentinels (named
 * REDIS_SENTINEL_MASTER) and REDIS_URL gives only the data nodes' user, password, db and TLS. Bad combinations are
 * all reported (docs/store.md#redis-sentinel).
 */
export const RedisSection = section(
  {
    REDIS_URL: redisUrl,
    REDIS_SENTINELS: sentinelList,
    REDIS_SENTINEL_MASTER: z.string().trim().regex(/^[A-Za-z0-9._-]{1,128}$/, 'letters, digits and . _ - only (the name in `sentinel monitor <name> …`)').optional(),
    REDIS_SENTINEL_PASSWORD: z.string().optional(),
    REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(16).optional(),
  },
  (v, ctx) => {
    const sentinels = v.REDIS_SENTINELS;
    const problem = (variable: string, message: string): void => ctx.addIssue({ code: 'custom', path: [variable], message });
    if (sentinels.length > 0) {
      if (!v.REDIS_SENTINEL_MASTER) problem('REDIS_SENTINEL_MASTER', 'must be set with REDIS_SENTINELS: the master name the Sentinels monitor');
      if (!v.REDIS_URL) problem('REDIS_URL', 'must be set with REDIS_SENTINELS: it gives the data nodes\' password, db and TLS (e.g. redis://:password@mymaster/0; its host is not dialled)');
    } else {
      if (v.REDIS_SENTINEL_MASTER) problem('REDIS_SENTINEL_MASTER', 'is set but REDIS_SENTINELS is not: list the Sentinels (host:port,…) or unset it');
      if (v.REDIS_SENTINEL_PASSWORD) problem('REDIS_SENTINEL_PASSWORD', 'is set but REDIS_SENTINELS is not: list the Sentinels (host:port,…) or unset it');
    }
    const sentinel = sentinels.length > 0 && v.REDIS_SENTINEL_MASTER
      ? { sentinels, masterName: v.REDIS_SENTINEL_MASTER, password: v.REDIS_SENTINEL_PASSWORD ?? null }
      : null;
    return { url: v.REDIS_URL, sentinel, waitReplicas: v.REDIS_WAIT_REPLICAS ?? (sentinel ? 1 : 0) };
  },
);

// Reuses the simulator's own field rules so an env default can never be something the flag would reject.
const sim = SimOptionsSchema.shape;
export const SimSection = section(
  { SIM_SITES: sim.sites, SIM_SEED: sim.seed, SIM_PORT: sim.port, SIM_SPEED: sim.speed },
  (v) => ({ sites: v.SIM_SITES, seed: v.SIM_SEED, port: v.SIM_PORT, speed: v.SIM_SPEED }),
);

export const CollectorSection = section(
  {
    MIST_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000),
    MIST_BUDGET_SHARE: z.coerce.number().min(0.05).max(1),
    COLLECTOR_INTERVALS: intervalMap,
    COLLECTOR_PROFILE: z.enum(PROFILES),
    COLLECTOR_CONCURRENCY: z.coerce.number().int().min(1).max(32),
    COLLECTOR_LOCK_TTL_SECONDS: z.coerce.number().int().min(3).max(600),
    REGION_GROUP_PREFIX: z.string().optional().transform((v) => v ?? ''),
    REGION_GROUPS: nameList,
    CIRCUIT_ROLES: circuitRoles,
    SLE_DEGRADED_THRESHOLD: z.coerce.number().gt(0, 'must be above 0').max(1, 'must be at most 1 (SLE scores are ratios 0-1)'),
    CIRCUIT_INVENTORY_FILE: inventoryFile,
    SITE_INCLUDE: siteTerms,
    SITE_EXCLUDE: siteTerms,
  },
  (v) => ({
    rateLimitPerToken: v.MIST_RATE_LIMIT,
    budgetShare: v.MIST_BUDGET_SHARE,
    intervals: v.COLLECTOR_INTERVALS,
    profile: v.COLLECTOR_PROFILE,
    concurrency: v.COLLECTOR_CONCURRENCY,
    lockTtlSeconds: v.COLLECTOR_LOCK_TTL_SECONDS,
    regions: { prefix: v.REGION_GROUP_PREFIX, names: v.REGION_GROUPS },
    circuitRoles: v.CIRCUIT_ROLES,
    sleDegradedThreshold: v.SLE_DEGRADED_THRESHOLD,
    inventoryFile: v.CIRCUIT_INVENTORY_FILE,
    siteFilter: { include: v.SITE_INCLUDE, exclude: v.SITE_EXCLUDE },
  }),
);

export const StoreSection = section(
  {
    STORE_KEY_PREFIX: z.string().min(1).max(64).regex(/^[A-Za-z0-9:._-]+$/, 'letters, digits and : . _ - only'),
    STORE_COMMAND_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(300),
  },
  (v) => ({ keyPrefix: v.STORE_KEY_PREFIX, commandTimeoutMs: Math.round(v.STORE_COMMAND_TIMEOUT_SECONDS * 1000) }),
);

export const ExporterSection = section(
  {
    EXPORTER_HOST: listenHost,
    EXPORTER_PORT: z.coerce.number().int().min(0).max(65_535),
    EXPORTER_REFRESH_SECONDS: z.coerce.number().min(1).max(300),
    EXPORTER_RENDER_HEAP_MB: z.coerce.number().int().min(128).max(65_536),
    EXPORTER_RENDER_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600),
    EXPORTER_BEARER_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    EXPORTER_BASIC_AUTH: basicAuth,
    GRAFANA_URL: linkBaseUrl,
    DOCS_URL: linkBaseUrl,
  },
  (v) => ({
    host: v.EXPORTER_HOST,
    port: v.EXPORTER_PORT,
    refreshSeconds: v.EXPORTER_REFRESH_SECONDS,
    renderHeapMb: v.EXPORTER_RENDER_HEAP_MB,
    renderTimeoutMs: Math.round(v.EXPORTER_RENDER_TIMEOUT_SECONDS * 1000),
    auth: { bearerToken: v.EXPORTER_BEARER_TOKEN, basic: v.EXPORTER_BASIC_AUTH },
    links: { grafanaUrl: v.GRAFANA_URL, docsUrl: v.DOCS_URL },
  }),
);

export const ConfigSchema = z.object({
  log: LogSection,
  mist: MistSection,
  redis: RedisSection,
  sim: SimSection,
  collector: CollectorSection,
  store: StoreSection,
  exporter: ExporterSection,
});

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type Config = DeepReadonly<z.output<typeof ConfigSchema>>;
export type ConfigSectionName = keyof Config;
