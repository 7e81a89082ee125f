import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '../log.js';
import { InventoryError, inventoryFormatOf, loadInventoryFile, parseInventoryBytes } from './load.js';
import type { Inventory, InventorySource, InventoryStatus } from './types.js';

export interface WatchOptions {
  /** How often the file's mtime, size and inode are compared (default 5 s). */
  readonly pollMs?: number;
  /** Every this many polls the content is hashed even when the stat looks unchanged (coarse mtime filesystems). */
  readonly hashEvery?: number;
  /** Quiet time after a change notice before reading, so an editor's several writes are read once (default 250 ms). */
  readonly debounceMs?: number;
  /** Use fs.watch besides polling (default true; tests turn it off to prove polling alone finds changes). */
  readonly watch?: boolean;
  readonly now?: () => number;
}

/** A watched inventory file: `source` for the collector, `check` to re-read now (tests), `close` at shutdown. */
export interface LiveInventory {
  readonly source: InventorySource;
  /** Reads the file if it may have changed; resolves true when a new inventory was accepted. */
  check(force?: boolean): Promise<boolean>;
  close(): void;
}

/**
 * Reads the file (throws InventoryError listing every problem: the caller exits 2) and keeps watching it. A
 * change is noticed by fs.watch on the directory (editors replace files by rename, so watching the file itself
 * loses it) and, since fs.watch misses changes on some filesystems (NFS, some container mounts), by polling the
 * stat, plus a periodic content hash. A bad re-read keeps the last good inventory and logs every problem; a
 * later good write replaces it.
 */
export async function openInventory(file: string, log: Logger, opts: WatchOptions = {}): Promise<LiveInventory> {
  const now = opts.now ?? Date.now;
  // Stat before reading: a write between the two is then seen by the first poll.
  let fingerprint = await statPrint(file).catch(() => '');
  const first = await loadInventoryFile(file, now);
  let current: Inventory = first.inventory;
  const format = inventoryFormatOf(file)!;
  // The content in use, and the last content rejected (not parsed again until it changes).
  let acceptedHash = sha256(first.bytes);
  let rejectedHash: string | null = null;
  let status: InventoryStatus = { file, ok: true, entries: current.entries.length, loadedAt: current.loadedAt, checkedAt: current.loadedAt, loads: 1, failures: 0, problems: [] };
  log.info({ file, entries: current.entries.length }, 'circuit inventory loaded');

  let polls = 0;
  let running: Promise<boolean> | null = null;
  let again = false;
  const reject = (problems: readonly string[]): void => {
    const repeated = !status.ok && problems.join('\n') === status.problems.join('\n');
    status = { ...status, ok: false, checkedAt: now(), failures: status.failures + (repeated ? 0 : 1), problems };
    if (!repeated) {
      log.error({ file, problems, keptEntries: current.entries.length, keptLoadedAt: new Date(current.loadedAt).toISOString() },
        `circuit inventory rejected (${problems.length} problem(s)); keeping the last good one`);
    }
  };
  const readNow = async (force: boolean): Promise<boolean> => {
    const print = await statPrint(file).catch((err: NodeJS.ErrnoException) => {
      reject([`cannot read the file: ${err.code ?? String(err)}`]);
      return null;
    });
    if (print === null) return false;
    if (!force && print === fingerprint && status.ok) return false;
    fingerprint = print;
    const bytes = await readFile(file).catch(() => null);
    if (bytes === null) return false;
    const h = sha256(bytes);
    if (h === acceptedHash) {
      // Unchanged, or back to the version in use after a bad write or a deletion.
      if (!status.ok) log.info({ file, entries: current.entries.length }, 'circuit inventory is back to the version in use');
      status = { ...status, ok: true, problems: [], checkedAt: now() };
      rejectedHash = null;
      return false;
    }
    if (h === rejectedHash) {
      status = { ...status, checkedAt: now() };
      return false;
    }
    const parsed = parseInventoryBytes(bytes, format, file, now());
    if (!parsed.inventory) {
      rejectedHash = h;
      reject(parsed.problems);
      return false;
    }
    acceptedHash = h;
    rejectedHash = null;
    current = parsed.inventory;
    status = { file, ok: true, entries: current.entries.length, loadedAt: current.loadedAt, checkedAt: current.loadedAt, loads: status.loads + 1, failures: status.failures, problems: [] };
    log.info({ file, entries: current.entries.length }, 'circuit inventory reloaded');
    return true;
  };
  // One read at a time; a notice that arrives during a read runs one more afterwards.
  const check = async (force = false): Promise<boolean> => {
    if (running) {
      again = true;
      return running;
    }
    running = readNow(force).finally(() => {
      running = null;
    });
    const changed = await running;
    if (again) {
      again = false;
      return (await check(true)) || changed;
    }
    return changed;
  };

  let debounce: NodeJS.Timeout | undefined;
  const notice = (): void => {
    clearTimeout(debounce);
    debounce = setTimeout(() => void check(true).catch((err: unknown) => log.warn({ err, file }, 'circuit inventory check failed')), opts.debounceMs ?? 250);
    debounce.unref();
  };
  const watcher = opts.watch === false ? undefined : watchDirectory(file, notice, log);
  const poll = setInterval(() => {
    polls++;
    const hashNow = polls % (opts.hashEvery ?? 12) === 0;
    void check(hashNow).catch((err: unknown) => log.warn({ err, file }, 'circuit inventory check failed'));
  }, opts.pollMs ?? 5000);
  poll.unref();

  const source: InventorySource = Object.assign(() => current, { status: () => status });
  return {
    source,
    check,
    close() {
      clearInterval(poll);
      clearTimeout(debounce);
      watcher?.close();
    },
  };
}

/** fs.watch on the file's directory: editors save by writing a new file and renaming it over the old one. */
function watchDirectory(file: string, notice: () => void, log: Logger): FSWatcher | undefined {
  try {
    const watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (name === null || name === basename(file)) notice();
    });
    watcher.on('error', (err) => log.warn({ err, file }, 'cannot watch the circuit inventory directory; polling only'));
    return watcher;
  } catch (err) {
    log.warn({ err, file }, 'cannot watch the circuit inventory directory; polling only');
    return undefined;
  }
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** What changes when a file is written or replaced; compared before reading the content. */
async function statPrint(file: string): Promise<string> {
  const s = await stat(file);
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}

export { InventoryError };
