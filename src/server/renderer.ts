import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { deflatedChunk } from '../metrics/gzip.js';
import type { RenderedChunk } from '../metrics/render-chunk.js';
import type { FamilyKey, Store } from '../store/types.js';
import type { RenderReply, RenderRequest, RenderWorkerData } from './render-protocol.js';

/** One family to render: the orgs whose snapshots make it, and the counter groups it exposes. */
export interface RenderJob {
  readonly family: string;
  readonly keys: readonly FamilyKey[];
  readonly counterGroups: readonly string[];
}

export interface RenderOutcome extends RenderedChunk {
  /** Orgs whose snapshot was found and rendered. */
  readonly orgs: number;
  /** How long the render itself took (reading included, starting a worker not). */
  readonly seconds: number;
}

/** Renders a family from the store into a deflated chunk. */
export interface FamilyRenderer {
  /** null when none of the job's snapshots exists any more. */
  render(job: RenderJob): Promise<RenderOutcome | null>;
  /** Frees what rendering holds, between refresh passes. */
  release(): Promise<void>;
  /** Stops rendering for good; renders in flight fail. */
  close(): Promise<void>;
}

/**
 * The render worker's heap. A render allocates a few hundred megabytes of short-lived records and text.
 * - V8 sizes a heap's collector by its limit: with the process default (gigabytes), the worker's old generation
 *   grows by each family's garbage without collecting it (135 MiB after one pass at 3,208 sites); with a limit
 *   of 0.5–1 GiB it collects as it goes and stays under 90 MiB. A small young generation keeps scavenges short.
 * - V8 keeps a finished worker's pages for the next one, so the worker's peak heap stays resident: that is what
 *   these bound.
 * - The limit is not a safety net: reaching it usually fails the render (ERR_WORKER_OUT_OF_MEMORY), but some
 *   allocations abort the whole process instead (nodejs/node#47224).
 * Measured in docs/performance.md.
 */
export interface RenderHeap {
  readonly youngMb: number;
  readonly oldMb: number;
}

export const DEFAULT_RENDER_HEAP: RenderHeap = { youngMb: 16, oldMb: 1024 };

/** EXPORTER_RENDER_TIMEOUT_SECONDS' default: 30× the biggest family's render at 3,208 sites. */
export const DEFAULT_RENDER_TIMEOUT_MS = 60_000;

/**
 * Why a render failed, as the cache must treat it: `RENDER_TIMEOUT` (past its deadline: abandoned, the worker
 * ended) and `RENDER_STORE` (the worker's store read failed) are failed store reads; `RENDER_FAILED` is the
 * render's own problem (out of memory, a bug).
 */
export class RenderError extends Error {
  override readonly name = 'RenderError';
  constructor(readonly code: 'RENDER_TIMEOUT' | 'RENDER_STORE' | 'RENDER_FAILED', message: string) {
    super(message);
  }
}

type Done = Extract<RenderReply, { type: 'done' }>;

interface Pending {
  /** The worker rendering it: a worker that ends fails only its own renders. */
  readonly worker: Worker;
  resolve(reply: Done): void;
  reject(err: Error): void;
}

/** The worker's entry: compiled JavaScript in dist, TypeScript (through tsx) when running from source. */
function workerEntry(): { url: URL; execArgv?: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './render-worker.ts' : './render-worker.js', import.meta.url);
  if (!fromSource || process.execArgv.some((a) => a.includes('tsx'))) return { url };
  // Started from source without tsx's loader inherited (a test runner): load the worker through it.
  const loader = createRequire(import.meta.url).resolve('tsx');
  return { url, execArgv: [...process.execArgv, '--import', new URL(`file://${loader}`).href] };
}

/**
 * Renders in a worker thread, so the thread that serves scrapes never reads, parses, validates or renders a
 * family, nor collects its garbage (the biggest family is about 2 s of work at 3,208 sites). With a Redis store
 * the worker reads the snapshots over a connection of its own; with the in-process store the pages are posted
 * to it one by one. The worker is started by the first render of a refresh pass and ended by `release()` when
 * the pass is over. If it dies (out of memory, a bug), the renders in flight fail, the cache keeps what it had,
 * and the next render starts a new one.
 */
export class WorkerRenderer implements FamilyRenderer {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly store: Store,
    private readonly heap: RenderHeap = DEFAULT_RENDER_HEAP,
    private readonly timeoutMs: number = DEFAULT_RENDER_TIMEOUT_MS,
  ) {}

  /**
   * Renders one family within the deadline. Past it the render is abandoned: the worker is ended (whatever it
   * waits on, a half-open store connection included) and the render fails with RENDER_TIMEOUT.
   */
  async render(job: RenderJob): Promise<RenderOutcome | null> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    const done = new Promise<Done>((resolve, reject) => this.pending.set(id, { worker, resolve, reject }));
    // Settled by the worker, possibly while this render still reads the in-process store: handled when awaited.
    done.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const abandoned = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new RenderError('RENDER_TIMEOUT', `render of ${job.family} abandoned after ${this.timeoutMs} ms (EXPORTER_RENDER_TIMEOUT_SECONDS)`));
        // Whatever it waits on (a half-open store connection included) ends with it; the next render starts a new one.
        if (this.worker === worker) this.worker = null;
        void worker.terminate();
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([this.exchange(worker, id, job, done), abandoned]);
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  private async exchange(worker: Worker, id: number, job: RenderJob, done: Promise<Done>): Promise<RenderOutcome | null> {
    const post = (m: RenderRequest): void => worker.postMessage(m);
    if (this.store.connectionOptions()) {
      post({ type: 'begin', id, family: job.family, read: { keys: job.keys, counterGroups: job.counterGroups }, orgIds: null, counters: null });
    } else {
      // The in-process store: its pages are already strings in this thread; the worker gets copies, page by page.
      const counters: Record<string, Record<string, number>> = {};
      for (const group of job.counterGroups) counters[group] = await this.store.readCounters(group);
      const snaps = [];
      for (const key of job.keys) {
        const snap = await this.store.readSnapshot(key);
        if (snap) snaps.push({ orgId: key.orgId, pages: snap.pages });
      }
      post({ type: 'begin', id, family: job.family, read: null, orgIds: snaps.map((s) => s.orgId), counters });
      for (const { orgId, pages } of snaps) for (const page of pages) post({ type: 'page', id, orgId, page });
    }
    post({ type: 'end', id });
    const reply = await done;
    if (reply.orgs === 0) return null;
    const deflated = Buffer.from(reply.deflated.buffer, reply.deflated.byteOffset, reply.deflated.byteLength);
    return { chunk: deflatedChunk(deflated, reply.crc, reply.size), series: reply.series, invalid: reply.invalid, duplicates: reply.duplicates, orgs: reply.orgs, seconds: reply.seconds };
  }

  async release(): Promise<void> {
    if (this.pending.size > 0) return;
    await this.close();
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  /** Whether a worker is running (for tests and diagnostics). */
  get running(): boolean {
    return this.worker !== null;
  }

  private start(): Worker {
    const { url, execArgv } = workerEntry();
    const workerData: RenderWorkerData = { connection: this.store.connectionOptions() };
    const worker = new Worker(url, {
      name: 'mist-render',
      workerData,
      ...(execArgv ? { execArgv } : {}),
      resourceLimits: { maxYoungGenerationSizeMb: this.heap.youngMb, maxOldGenerationSizeMb: this.heap.oldMb },
    });
    worker.unref();
    worker.on('message', (reply: RenderReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if (reply.type === 'done') pending.resolve(reply);
      else pending.reject(new RenderError(reply.cause === 'store' ? 'RENDER_STORE' : 'RENDER_FAILED', `render failed: ${reply.message}`));
    });
    // An abandoned worker's exit may come after the next render started on a new worker: fail only its own.
    const fail = (err: Error): void => {
      if (this.worker === worker) this.worker = null;
      for (const [id, p] of this.pending) {
        if (p.worker !== worker) continue;
        this.pending.delete(id);
        p.reject(err);
      }
    };
    worker.on('error', (err: Error & { code?: string }) => fail(new RenderError('RENDER_FAILED', err.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? `the render worker ran out of memory (EXPORTER_RENDER_HEAP_MB=${this.heap.oldMb}); raise it for this org's size`
      : `render worker failed: ${err.message}`)));
    worker.on('exit', (code) => fail(new RenderError('RENDER_FAILED', `render worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
