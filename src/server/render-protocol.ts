import type { Counters } from '../metrics/exposition.js';
import type { FamilyKey, StoreConnection } from '../store/types.js';

/** What the render worker is started with: its own connection to the store, when the store can be shared. */
export interface RenderWorkerData {
  readonly connection: StoreConnection | null;
}

/**
 * Messages between the exposition cache's renderer and its worker. A render is `begin`, then (only when the
 * worker has no store connection of its own) one `page` per stored page, posted one by one so no single copy is
 * big, then `end`. With a connection the worker reads the snapshots of `keys` and the counter groups itself, so
 * the thread that serves scrapes never parses a reply. The worker answers `done` with the deflated bytes
 * (transferred, not copied) or `error`.
 */
export type RenderRequest =
  | {
    readonly type: 'begin';
    readonly id: number;
    readonly family: string;
    /** Read by the worker from its own connection. */
    readonly read: { readonly keys: readonly FamilyKey[]; readonly counterGroups: readonly string[] } | null;
    /** Given when the worker has no connection (pages follow): the orgs that have a snapshot, pages or none. */
    readonly orgIds: readonly string[] | null;
    readonly counters: Counters | null;
  }
  | { readonly type: 'page'; readonly id: number; readonly orgId: string; readonly page: string }
  | { readonly type: 'end'; readonly id: number };

export type RenderReply =
  | {
    readonly type: 'done';
    readonly id: number;
    /** Orgs whose snapshot was rendered (0: none left, nothing rendered). */
    readonly orgs: number;
    readonly deflated: Uint8Array;
    readonly crc: number;
    readonly size: number;
    readonly series: number;
    readonly invalid: number;
    /** Records that repeated a series of an earlier record (rendered once). */
    readonly duplicates: number;
    /** The worker's own time for this render (read, parse, render, deflate), without its start-up. */
    readonly seconds: number;
  }
  /** `store`: the worker's store read failed (unreachable, timed out), not the render itself. */
  | { readonly type: 'error'; readonly id: number; readonly message: string; readonly cause?: 'store' };
