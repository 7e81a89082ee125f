import { z } from 'zod';
import { SimOptionsSchema } from '../sim/options.js';
import { LOG_FORMATS, LOG_LEVELS, mistBaseUrl, orgIdList, redisUrl, tokenList } from './fields.js';
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
  build: (values: z.output<z.ZodObject<Shape>>) => Out,
) {
  return z.object(shape).transform(build);
}

export const LogSection = section(
  { LOG_LEVEL: z.enum(LOG_LEVELS), LOG_FORMAT: z.enum(LOG_FORMATS) },
  (v) => ({ level: v.LOG_LEVEL, format: v.LOG_FORMAT }),
);

export const MistSection = section(
  { MIST_API_TOKENS: tokenList, MIST_HOST: mistBaseUrl, MIST_ORG_ID: orgIdList },
  (v) => ({ tokens: v.MIST_API_TOKENS, baseUrl: v.MIST_HOST, orgIds: v.MIST_ORG_ID }),
);

export const RedisSection = section({ REDIS_URL: redisUrl }, (v) => ({ url: v.REDIS_URL }));

// Reuses the simulator's own field rules so an env default can never be something the flag would reject.
const sim = SimOptionsSchema.shape;
export const SimSection = section(
  { SIM_SITES: sim.sites, SIM_SEED: sim.seed, SIM_PORT: sim.port, SIM_SPEED: sim.speed },
  (v) => ({ sites: v.SIM_SITES, seed: v.SIM_SEED, port: v.SIM_PORT, speed: v.SIM_SPEED }),
);

export const ConfigSchema = z.object({
  log: LogSection,
  mist: MistSection,
  redis: RedisSection,
  sim: SimSection,
});

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type Config = DeepReadonly<z.output<typeof ConfigSchema>>;
export type ConfigSectionName = keyof Config;
