import { z } from 'zod';
import { optNumber, optString } from './common.js';

/** GET /api/v1/self (admin): who the token is and what it may see (docs/mist-api.md §2.1). */
export const PrivilegeSchema = z.object({
  scope: z.string(),
  role: z.string(),
  org_id: optString,
  org_name: optString,
  site_id: optString,
  msp_id: optString,
  name: optString,
});

export const SelfSchema = z.object({
  /** Org tokens carry their name; user tokens an email instead. */
  name: optString,
  email: optString,
  privileges: z.array(PrivilegeSchema).nullish().transform((v) => v ?? []),
});

/** GET /api/v1/self/usage (api_usage). */
export const ApiUsageSchema = z.object({
  request_limit: z.number(),
  requests: z.number(),
  seconds: optNumber,
});

export type Privilege = z.output<typeof PrivilegeSchema>;
export type MistSelf = z.output<typeof SelfSchema>;
export type ApiUsage = z.output<typeof ApiUsageSchema>;
