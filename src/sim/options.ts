import { z } from 'zod';

/** The token the simulator accepts when none are given: documented, so the demo needs no setup. */
export const DEMO_TOKEN = 'mist-sim-demo-token';

/** Options of `mist-wan-exporter sim`; every field has a default so `{}` parses. */
export const SimOptionsSchema = z.object({
  sites: z.coerce.number().int().min(1).max(50_000).default(3208),
  seed: z.string().min(1).default('mist-wan'),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65_535).default(9730),
  tokens: z.array(z.string().min(8)).min(1).default([DEMO_TOKEN]),
  rateLimit: z.coerce.number().int().min(1).default(5000),
  retryAfter: z.boolean().default(true),
  speed: z.coerce.number().positive().max(10_000).default(1),
  /** Minutes of per-circuit per-minute history kept for /__sim/truth and gateway insights. */
  historyMinutes: z.coerce.number().int().min(10).max(7 * 24 * 60).default(180),
  /**
   * How far back alarms/search and devices/events/search serve, in minutes (the engine keeps 2 days): an older
   * `start` is moved up to now minus this, and the response's `start` says so (as Mist echoes its window).
   * Tests lower it to show an outage longer than Mist serves back.
   */
  searchHistoryMinutes: z.coerce.number().int().min(10).max(2 * 24 * 60).default(2 * 24 * 60),
  /** Simulated minutes run before serving, so counters, history and SLE have data from the first call. */
  warmupMinutes: z.coerce.number().int().min(0).max(24 * 60).default(120),
  /** Start of simulated time, epoch seconds; default: now. Fixed in tests for reproducible runs. */
  startTime: z.coerce.number().int().positive().optional(),
});

export type SimOptions = z.infer<typeof SimOptionsSchema>;
