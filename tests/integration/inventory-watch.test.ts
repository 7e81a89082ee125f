import { mkdtemp, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openInventory, type LiveInventory } from '../../src/inventory/watch.js';
import { InventoryError } from '../../src/inventory/load.js';
import { createLogger } from '../../src/log.js';

/** A real file on disk, changed the ways editors and config tools change files; polled with generous timeouts. */

const HEADER = 'site,port,down_mbps,up_mbps,provider\n';
const rows = (n: number): string => Array.from({ length: n }, (_, i) => `Store ${i},wan1,${100 + i},20,ISP ${i}\n`).join('');

async function until(what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('circuit inventory re-read on change', () => {
  let dir: string;
  let file: string;
  let live: LiveInventory | undefined;
  const lines: string[] = [];
  const log = createLogger({ level: 'info', format: 'json', destination: { write: (l: string) => void lines.push(l) } });
  const logged = (): { level: number; msg: string; problems?: string[] }[] => lines.map((l) => JSON.parse(l) as { level: number; msg: string; problems?: string[] });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inventory-watch-'));
    file = join(dir, 'circuits.csv');
    lines.length = 0;
  });
  afterEach(async () => {
    live?.close();
    live = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('picks up a change, keeps the last good inventory through a broken write (logging every problem), then picks up the fix', async () => {
    await writeFile(file, HEADER + rows(1));
    live = await openInventory(file, log, { pollMs: 100, debounceMs: 50 });
    const source = live.source;
    expect(source()!.entries.map((e) => e.site)).toEqual(['Store 0']);
    expect(source.status!()).toMatchObject({ file, ok: true, entries: 1, loads: 1, failures: 0, problems: [] });

    // Written in place.
    await writeFile(file, HEADER + rows(2));
    await until('the 2-entry inventory', () => source()?.entries.length === 2);
    expect(source()!.entries[1]).toMatchObject({ site: 'Store 1', port: 'wan1', downBytesPerSecond: 101e6 / 8, upBytesPerSecond: 20e6 / 8, provider: 'ISP 1' });

    // Broken: two problems; the 2-entry inventory stays in use.
    await writeFile(file, `${HEADER}Store 0,wan1,fast,20,A\n,wan2,100,20,B\n`);
    await until('the rejection', () => source.status!().ok === false);
    expect(source()!.entries.length).toBe(2);
    const status = source.status!();
    expect(status).toMatchObject({ ok: false, entries: 2, loads: 2, failures: 1 });
    expect(status.problems).toEqual([expect.stringMatching(/^line 2: down_mbps "fast"/), expect.stringMatching(/^line 3: site is missing/)]);
    const rejected = logged().filter((l) => l.level === 50);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.problems).toEqual(status.problems);

    // Fixed, the way editors save: a new file renamed over the old one.
    await writeFile(join(dir, 'circuits.csv.tmp'), HEADER + rows(3));
    await rename(join(dir, 'circuits.csv.tmp'), file);
    await until('the fixed 3-entry inventory', () => source()?.entries.length === 3);
    expect(source.status!()).toMatchObject({ ok: true, entries: 3, loads: 3, failures: 1, problems: [] });
    expect(logged().filter((l) => l.level === 50)).toHaveLength(1);

    // Deleted: reported, the last good one kept.
    await unlink(file);
    await until('the missing file to be reported', () => source.status!().ok === false);
    expect(source.status!().problems).toEqual(['cannot read the file: ENOENT']);
    expect(source()!.entries.length).toBe(3);

    // Restored with the content in use: ok again, nothing reloaded.
    await writeFile(file, HEADER + rows(3));
    await until('the restored file to be accepted', () => source.status!().ok);
    expect(source.status!()).toMatchObject({ ok: true, entries: 3, loads: 3, failures: 2, problems: [] });
  });

  it('finds changes by polling alone, even a same-size write with the old mtime (by the periodic hash)', async () => {
    // A whole-second mtime, so putting it back makes the stat (inode, size, mtime) identical: only the hash can tell.
    const mtime = 1_700_000_000;
    await writeFile(file, `${HEADER}Store A,wan1,100,20,X\n`);
    await utimes(file, mtime, mtime);
    live = await openInventory(file, log, { pollMs: 50, hashEvery: 3, watch: false });
    const before = await stat(file);
    await writeFile(file, `${HEADER}Store B,wan1,100,20,X\n`);
    await utimes(file, mtime, mtime);
    const after = await stat(file);
    expect([after.ino, after.size, after.mtimeMs]).toEqual([before.ino, before.size, before.mtimeMs]);
    await until('the same-size change', () => live!.source()?.entries[0]?.site === 'Store B');
    expect(live.source.status!()).toMatchObject({ ok: true, loads: 2 });
  });

  it('refuses to start on a bad file, listing every problem', async () => {
    await writeFile(file, `${HEADER}Store 0,wan1,0,20,A\nStore 0,WAN1,100,-1,B\n`);
    const err = await openInventory(file, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InventoryError);
    expect((err as InventoryError).problems).toEqual([
      'line 2: down_mbps 0 must be above 0',
      'line 3: up_mbps -1 must be above 0',
      'line 3: site "Store 0" port "WAN1" is already given at line 2',
    ]);
  });
});
