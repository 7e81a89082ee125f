import type { z } from 'zod';

/**
 * The metric catalogue's vocabulary. Every metric is declared once, in src/families/<family>/catalogue.ts:
 * its name, type, help (where the value comes from; that it is cached), unit and labels. The catalogue drives
 * rendering, docs/metrics.md and the lint test.
 */

export type MetricType = 'gauge' | 'counter';

/**
 * Units as they appear in names (exporter guidelines: base units). `score`: a unit-less score on a scale that is
 * not 0–1 (e.g. MOS 1–5), named without a unit suffix; its HELP states the scale.
 */
export type MetricUnit = 'seconds' | 'bytes' | 'ratio' | 'bytes_per_second' | 'info' | 'count' | 'requests' | 'boolean' | 'timestamp' | 'score';

export interface MetricDef<R> {
  readonly name: string;
  readonly type: MetricType;
  readonly unit: MetricUnit;
  /** HELP text: what it is, from which Mist endpoint and field, and that it is a cached value. */
  readonly help: string;
  /** The value for a record; null or undefined: the series is absent (unknown is never 0). */
  readonly value: (record: R) => number | boolean | null | undefined;
}

/** Metrics sharing one label set: the label string of a record is built once and reused by each metric. */
export interface SeriesGroup<R> {
  /** Only records this accepts are rendered by the group (families storing several kinds of record). */
  readonly select?: (record: R) => boolean;
  readonly labels: readonly string[];
  readonly labelValues: (record: R) => readonly string[];
  readonly metrics: readonly MetricDef<R>[];
}

/** Every metric rendered from one collector family's records. */
export interface FamilyCatalogue<R> {
  /** The store family whose records feed these metrics (also the `family` query value). */
  readonly family: string;
  /** Validates a stored record where it enters the exporter; invalid records are skipped and counted. */
  readonly schema: z.ZodType<R>;
  readonly groups: readonly SeriesGroup<R & { readonly org_id: string }>[];
  /** Counters kept in the store's counter groups (monotonic across collector restarts), rendered with the family. */
  readonly counters?: readonly CounterMetricDef[];
}

/** A counter whose values live in a store counter group: one series per field, labels decoded from the field. */
export interface CounterMetricDef {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly help: string;
  /** The store counter group (see src/store/counters.ts). */
  readonly group: string;
  /** Label names, in exposition order; each field of the group must carry exactly these. */
  readonly labels: readonly string[];
  /**
   * Optional: which of `labels` must match a rendered record for a series to be live, checked against the first
   * series group carrying them all (see src/metrics/counter-liveness.ts). Default: the shared labels of the
   * group sharing the most of `labels`.
   */
  readonly liveBy?: readonly string[];
}

/** A metric the exporter renders from its own state rather than from family records (self-metrics). */
export interface SelfMetricDef {
  readonly name: string;
  readonly type: MetricType;
  readonly unit: MetricUnit;
  readonly help: string;
  readonly labels: readonly string[];
}

/** Records carry their org so multi-org exporters label every series with it. */
export type WithOrg<R> = R & { readonly org_id: string };
