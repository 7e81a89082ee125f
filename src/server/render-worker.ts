/**
 * The render worker's entry (a worker thread started by WorkerRenderer): reads (with a store connection of its
 * own) or receives a family's stored pages, parses, validates, renders and deflates them, so none of that work,
 * nor the garbage-collection pauses it causes, lands on the thread that serves scrapes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { FAMILY_CATALOGUES } from '../families/registry.js';
import type { Counters, OrgPages } from '../metrics/exposition.js';
import { renderFamilyChunk } from '../metrics/render-chunk.js';
import { StoreError } from '../store/errors.js';
import { RedisStore } from '../store/redis.js';
import type { FamilyKey, Store } from '../store/types.js';
import type { RenderReply, RenderRequest, RenderWorkerData } from './render-protocol.js';

interface Job {
  readonly family: string;
  readonly read: { readonly keys: readonly FamilyKey[]; readonly counterGroups: readonly string[] } | null;
  readonly counters: Counters;
  readonly orgs: Map<string, string[]>;
}

const port = parentPort;
if (!port) throw new Error('render-worker runs as a worker thread');
const { connection } = workerData as RenderWorkerData;
// Silent: the main thread's store reports the same server's problems; failed reads come back as errors.
const store: Store | null = connection ? new RedisStore(connection, pino({ level: 'silent' })) : null;
const jobs = new Map<number, Job>();

port.on('message', (message: RenderRequest) => {
  switch (message.type) {
    case 'begin':
      jobs.set(message.id, {
        family: message.family, read: message.read, counters: message.counters ?? {},
        orgs: new Map((message.orgIds ?? []).map((orgId) => [orgId, []])),
      });
      break;
    case 'page': {
      jobs.get(message.id)?.orgs.get(message.orgId)?.push(message.page);
      break;
    }
    case 'end': {
      const job = jobs.get(message.id);
      jobs.delete(message.id);
      if (job) void run(message.id, job);
      else reply({ type: 'error', id: message.id, message: 'render ended before it began' });
      break;
    }
  }
});

function reply(message: RenderReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

/** The job's input: the pages it was sent, or the snapshots and counters read from the store. */
async function input(job: Job): Promise<{ orgs: OrgPages[]; counters: Counters }> {
  if (!job.read) return { orgs: [...job.orgs].map(([orgId, pages]) => ({ orgId, pages })), counters: job.counters };
  if (!store) throw new Error('the render worker has no store connection');
  const orgs: OrgPages[] = [];
  for (const key of job.read.keys) {
    const snap = await store.readSnapshot(key);
    if (snap) orgs.push({ orgId: key.orgId, pages: snap.pages });
  }
  const counters: Record<string, Record<string, number>> = {};
  for (const group of job.read.counterGroups) counters[group] = await store.readCounters(group);
  return { orgs, counters };
}

async function run(id: number, job: Job): Promise<void> {
  const started = performance.now();
  try {
    const catalogue = FAMILY_CATALOGUES.find((c) => c.family === job.family);
    if (!catalogue) throw new Error(`unknown family ${job.family}`);
    const { orgs, counters } = await input(job);
    job.orgs.clear();
    const { chunk, series, invalid, duplicates } = await renderFamilyChunk(catalogue, orgs, counters);
    // A buffer of its own (not a slice of Node's shared pool), so it can be transferred instead of copied.
    const deflated = new Uint8Array(chunk.deflated.length);
    deflated.set(chunk.deflated);
    const seconds = (performance.now() - started) / 1000;
    reply({ type: 'done', id, orgs: orgs.length, deflated, crc: chunk.crc, size: chunk.size, series, invalid, duplicates, seconds }, [deflated.buffer]);
  } catch (err) {
    const unavailable = err instanceof StoreError && err.code === 'STORE_UNAVAILABLE';
    reply({ type: 'error', id, message: err instanceof Error ? err.message : String(err), ...(unavailable ? { cause: 'store' as const } : {}) });
  }
}
