/**
 * Long stretches of collector work give the event loop a turn every SLICE_MS. In `all` mode the collector shares
 * its thread with the exporter's scrapes: reading a 19,500-record snapshot back for a join (parse, identity,
 * validation) or marking a family's live counters ran 100–300 ms at a stretch at 3,208 sites, and every scrape
 * in flight waited that long (docs/performance.md, "Load"). In a collector process of its own it costs nothing.
 */
export const SLICE_MS = 10;

/** A pace function for one stretch of work: call it often; it yields (setImmediate) once `sliceMs` have passed since the last turn. */
export function pacer(sliceMs = SLICE_MS): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}
