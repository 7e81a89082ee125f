/**
 * The docs/metrics.md section on PromQL windows for snapshot data (appended by docs.ts). Every number in the
 * measured table is an expectation of tests/promql/windows.test.yml, which promtool proves and
 * tests/integration/promql-windows.test.ts ties to this table, so the doc cannot cite a number nobody measured.
 */

/** One measured value: which input group (scrape interval), at which evaluation time, the exact promtool value. */
export interface WindowsCell {
  readonly scrape: '30s' | '60s';
  readonly at: string;
  readonly value: string;
}

export interface WindowsRow {
  /** The expression as written in the test file (demo metric names). */
  readonly expr: string;
  readonly cells: readonly WindowsCell[];
  readonly verdict: string;
}

const B = 'demo_bytes_total';
const F = 'demo_flaps_total';
const R = 'demo_failovers_total';
const G = 'demo_gauge';
const L = 'demo_late_bytes_total';
const at10 = (value: string): WindowsCell => ({ scrape: '30s', at: '65m10s', value });
const at40 = (value: string): WindowsCell => ({ scrape: '30s', at: '65m40s', value });
const m60 = (value: string, at = '65m10s'): WindowsCell => ({ scrape: '60s', at, value });

export const WINDOWS_MEASURED: readonly WindowsRow[] = [
  { expr: `rate(${B}[1m])`, cells: [at10('200'), at40('0')], verdict: 'no' },
  { expr: `rate(${B}[2m])`, cells: [at10('133.33333333333331'), at40('66.66666666666666'), m60('100')], verdict: 'only if scrape = collection' },
  { expr: `rate(${B}[3m])`, cells: [at10('119.99999999999999'), at40('80')], verdict: 'no' },
  { expr: `rate(${B}[4m])`, cells: [at10('114.28571428571428'), at40('85.71428571428571'), m60('99.99999999999999')], verdict: 'only if scrape = collection' },
  { expr: `rate(${B}[5m])`, cells: [at10('111.11111111111111'), at40('88.88888888888889')], verdict: 'no' },
  { expr: `rate(${B}[10m])`, cells: [at10('105.26315789473684'), at40('94.73684210526315'), m60('100', '65m40s')], verdict: 'only if scrape = collection' },
  { expr: `rate(${B}[1h])`, cells: [at10('100.84033613445378'), at40('99.15966386554621')], verdict: 'no (±0.8 %)' },
  { expr: `irate(${B}[2m])`, cells: [at10('200'), at40('0'), m60('100', '65m40s')], verdict: 'no' },
  { expr: `rate(${B}[2m:1m])`, cells: [at10('100'), at40('100')], verdict: '**yes**' },
  { expr: `rate(${B}[5m:1m])`, cells: [at40('100')], verdict: '**yes**' },
  { expr: `(${B} - ${B} offset 1m) / 60`, cells: [at10('100'), at40('100')], verdict: '**yes**' },
  { expr: `(${B} - ${B} offset 5m) / 300`, cells: [at40('100')], verdict: '**yes**' },
  { expr: `(${L} - ${L} offset 1m) / 60`, cells: [{ scrape: '30s', at: '64m10s', value: '0' }, at10('200')], verdict: 'a snapshot 30 s late: 0 at 64m10s, then 200 (true 100)' },
  { expr: `max_over_time(((${L} - ${L} offset 1m) / 60)[1h:1m])`, cells: [{ scrape: '30s', at: '68m10s', value: '200' }], verdict: 'no: peak of a late snapshot (true 100)' },
  { expr: `max_over_time(rate(${L}[5m:1m])[1h:1m])`, cells: [{ scrape: '30s', at: '68m10s', value: '100' }], verdict: '**yes**' },
  { expr: `min_over_time(rate(${L}[5m:1m])[1h:1m])`, cells: [{ scrape: '30s', at: '68m10s', value: '80' }], verdict: 'the late snapshot\'s dip (true 100)' },
  { expr: `increase(${F}[30m])`, cells: [at10('1.0169491525423728'), m60('1.0344827586206897')], verdict: 'no: W / (W − scrape)' },
  { expr: `increase(${F}[1h])`, cells: [at10('1.0084033613445378'), m60('1.0169491525423728', '65m40s')], verdict: 'no: W / (W − scrape)' },
  { expr: `increase(${F}[1h:1m])`, cells: [at40('1.0169491525423728')], verdict: 'no: W / (W − step)' },
  { expr: `increase(demo:flaps_total:1m[1h])`, cells: [at10('1.0169491525423728')], verdict: 'no (a recorded copy of the counter)' },
  { expr: `${F} - ${F} offset 1h`, cells: [at10('1'), at40('1'), m60('1')], verdict: '**yes** (no reset in the window)' },
  { expr: `${R} - ${R} offset 1h`, cells: [at10('-1')], verdict: 'no: a reset in the window (true: 5)' },
  { expr: `increase(${R}[1h])`, cells: [at10('5.042016806722689')], verdict: 'approximate (true: 5)' },
  { expr: `changes(${R}[1h])`, cells: [at10('6')], verdict: 'no: counts changed snapshots' },
  { expr: `sum_over_time(demo:failovers:increase1m[1h])`, cells: [at10('5')], verdict: '**yes**, reset-proof' },
  { expr: `avg_over_time(${G}[3m])`, cells: [at10('45'), at40('43.33333333333333'), m60('43.333333333333336')], verdict: 'only if scrape = collection' },
  { expr: `avg_over_time(${G}[3m:1m])`, cells: [at10('43.333333333333336'), at40('43.333333333333336')], verdict: '**yes**' },
  { expr: `max_over_time(${G}[3m])`, cells: [at10('100')], verdict: 'yes (max/min)' },
];

const fmt = (v: string): string => String(Math.round(Number(v) * 10_000) / 10_000);
const cellFor = (row: WindowsRow, scrape: WindowsCell['scrape']): string =>
  row.cells.filter((c) => c.scrape === scrape).map((c) => fmt(c.value)).join(' / ') || '';

function measuredTable(): string {
  const rows = WINDOWS_MEASURED.map((r) => `| \`${r.expr.replace(/\|/g, '\\|')}\` | ${cellFor(r, '30s')} | ${cellFor(r, '60s')} | ${r.verdict} |`);
  return ['| Expression | 30 s scrapes | 60 s scrapes | Exact and steady? |', '|---|---|---|---|', ...rows].join('\n');
}

/** The markdown section appended to docs/metrics.md. */
export const WINDOWS_SECTION = `## Windows and functions for data that changes once per collection interval

Every value the exporter serves is a snapshot: it changes at most once per collection interval *T* of its
family (\`mist_collector_interval_seconds{family}\`: 60 s for \`wan-ports\`, \`circuits\` and \`events\`, 120 s for
\`gateways\`, \`vpn-peers\` and \`alarms\`, more for SLE; stretched when the API budget is short) and is served
unchanged until the next one, while Prometheus scrapes every *S*. PromQL's range functions assume nothing of
the kind, which costs accuracy in two ways:

- **Phase.** With *S* < *T* a raw window \`[W]\` holds the last \`W − S\` seconds of samples, which cover either
  \`W/T − 1\` or \`W/T\` value changes depending on where the window falls: \`rate(x[W])\` alternates between
  \`(W/T − 1)·d/(W − S)\` and \`(W/T)·d/(W − S)\` (*d* = the increase per collection). That is the 0.06/0.12 seen
  on one port with \`[2m]\`. The spread is \`T/(W − S)\` of the true rate (±33 % at \`[2m]\`, ±5 % at \`[10m]\`) and
  never goes away; \`irate\` reads 0 or twice the rate.
- **Extrapolation.** \`rate\` and \`increase\` extrapolate from the first and last sample to the window's ends
  (prometheus/prometheus \`docs/querying/functions.md\`: "a non-integer result even if a counter increases only by
  integer increments"), by \`W/(W − S)\` for evenly spaced samples: one flap reads 1.0084 (\`[1h]\`, 30 s scrapes),
  1.0169 (\`[1h]\` at 60 s, \`[30m]\` at 30 s) or 1.0345 (\`[30m]\` at 60 s, the issue's 1.03). \`round()\` is no
  repair: *N* counts read \`N·W/(W − S)\`, a whole count too many from *N* = 30 per hour at 60 s scrapes, and
  what happened between the window's start and its first sample is estimated, not counted.

Measured with promtool 2.42 on synthetic series shaped like ours (\`tests/promql/windows.test.yml\`: snapshots
every 60 s, a counter rising 6000 per collection = 100/s, one flap, a reset at a reboot, a 60 s gauge cycling
10/20/30/100, an expired family, a snapshot that lands 30 s late; 65m10s and 65m40s are the two phases of a
30 s scrape):

${measuredTable()}

### Rules

- **Rates (bytes/s).** Use a subquery stepped at the collection interval, \`rate(x[W:T])\` with *W* ≥ 2*T*, or
  the raw delta \`(x - x offset W) / W\` with *W* a multiple of *T* (≥ *T*). Raw \`rate(x[W])\` is exact only when
  *S* = *T* and *W* ≥ 2*S* (\`[1m]\` at 60 s gives no value); with *S* < *T* no window is steady. Never \`irate\`
  when *S* < *T*. For an hourly peak, take \`max_over_time(rate(x[5m:1m])[1h:1m])\`: a one-interval rate
  doubles for one step whenever a snapshot lands late (200 for a true 100; see *Windows*).
- **Counts (flaps, failovers, events, alarms): integers.** \`x - x offset W\` is the exact count between the
  samples at *t − W* and *t*, for any *W*, and consecutive windows tile (hourly values add up to the day).
  Our \`_total\` counters live in the store and survive exporter restarts and expiry gaps; they reset only when
  the store is lost (the memory store of \`all\` mode at a restart, a flushed Redis), and across a reset the
  delta is wrong (−1 above). Either
  - guard it (exact except in a window holding a reset, where it falls back to \`increase\`):
    \`(x - last_over_time(x[W] offset W) >= 0 unless resets(x[W]) > 0) or increase(x[W])\`, or
  - record the per-interval delta in a group whose interval equals its width (1m; a reset counts the value
    after it): \`x offset 1m - x offset 2m >= 0 or x offset 1m < x offset 2m\`, and sum it:
    \`sum_over_time(rec[1h])\` is exact across resets (5; \`tests/promql/windows.rules.yml\`). Without a rule the
    same sum is \`sum_over_time((x - x offset 1m >= 0 or (x < x offset 1m) * 1)[1h:1m])\` (\`* 1\` drops the name
    so both branches are one series).
  - \`increase()\` is never an integer (above); \`changes()\` counts snapshots whose value changed (6 for 5
    failovers and a reset); \`resets()\` only serves as a guard.
- **Recording rules lag by one scrape interval.** Prometheus stamps a sample with its scrape's start but
  stores it when the body has been read, so a rule evaluated while a scrape is in flight reads the sample
  before it. Measured in a real Prometheus 2.42 (\`tests/integration/promql-windows-prometheus.test.ts\`: a
  counter rising 6000 per 6 s scrape, rules every 3 s, the target holding its answer across one evaluation):
  \`x - x offset 6s\` recorded 0 at every evaluation that ran while a scrape was in flight (6000 otherwise),
  while \`x offset 6s - x offset 12s\` recorded 6000 every time. A group's phase is fixed (a hash of its name
  and file, prometheus/prometheus \`rules/group.go\` \`EvalTimestamp\`), so if it falls inside a slow scrape the
  error repeats at every evaluation (a dashboard re-queries, so only its newest point is affected). Put
  \`offset 1m\` (≥ the scrape interval, which bounds a scrape's duration) on every selector of a rule that
  must be exact (the expressions above, in a rule: \`x offset 1m - x offset 61m\`), or on Prometheus ≥ 2.53
  set the group's \`query_offset: 1m\` (prometheus/prometheus#14061).
- **Range ends (Prometheus 2.x).** Ranges include both ends: evaluated exactly on a recorded sample's
  timestamp, \`[30m]\` holds 31 samples and counts the boundary minute in two windows (measured: the flap at 40m
  counted in the window ending at 71m, where the lagged delta \`x offset 1m - x offset 31m\` says 0). Keep the
  sums in another rule group than the deltas (another group, another phase), and test them in promtool at times
  off the minute (promtool evaluates every group on the minute). The subquery form does the same at times on
  the minute, which is where Grafana puts its steps (1 at 70m, 0 at 70m10s). 3.x excludes the left end.
- **Gauges (latency, loss, utilisation, up).** \`avg_over_time\`, \`quantile_over_time\` and \`sum_over_time\`
  weigh every sample equally. A 30 s scrape of 60 s data double-weights nothing only if every snapshot in the
  window is seen the same number of times: *S* divides *T* and the window's ends fall on snapshot changes,
  which nobody controls. The 3-minute mean reads 45 at one phase and 43.33 (true) at the other. Use
  \`avg_over_time(x[W:T])\` / \`quantile_over_time(q, x[W:T])\` (one sample per snapshot: 43.33 at both phases).
  \`max_over_time\` and \`min_over_time\` are exact at any weighting. A snapshot held for 2*T* (a missed
  collection) then counts twice, which is the right time weight.
- **Windows.** Minimum: \`rate(x[W])\` needs *W* ≥ 2*S* for a value at all and is steady at no *W* when *S* < *T*
  (its error shrinks as \`T/(W − S)\`); \`rate(x[W:T])\` needs *W* ≥ 2*T*; \`x - x offset W\` and
  \`avg_over_time(x[W:T])\` need *W* ≥ *T*. Subquery step = *T* of the family; windows a multiple of *T*. A
  recorded delta may be narrower than *T* (for SLE's 600–900 s, record 5-minute deltas: sums still tile, and a
  recorded series sampled less often than the 5-minute lookback has holes for instant queries). A snapshot
  that lands late (a slow cycle) moves its increase into the next interval: a per-minute rate reads 0 then 200
  (subquery \`[5m:1m]\`: 75), while the delta over both minutes stays exact. If
  \`mist_collector_interval_seconds\` is stretched above the *T* the rules assume, per-step rates repeat or skip
  snapshots; deltas and counts stay exact.
- **Expired data.** A family that expires leaves \`/metrics\` and Prometheus marks its series stale at the
  next scrape: instant selectors, subquery steps and \`offset\` see nothing from then on (not after the 5-minute
  lookback). Range functions skip the gap: \`*_over_time\` use what is there (a gap is not zeros;
  \`count_over_time\` gives coverage: 40 of 60 samples), \`increase\` across the gap reads 2.03 for the 2 flaps
  counted at recovery (the delta: 2). When the window starts inside the gap, \`x - x offset W\` is empty and
  \`increase\` reads 0; \`x - last_over_time(x[W] offset W)\` bridges it (2), hence its use in the guard above.
`;
