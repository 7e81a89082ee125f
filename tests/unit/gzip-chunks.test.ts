import { crc32, deflateRawSync, gunzipSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  assembleGzip, ChunkWriter, compressChunk, compressChunkSync, crc32Combine, deflatedChunk, gzipParts, inflateChunks,
  type Chunk,
} from '../../src/metrics/gzip.js';

/** Deterministic PRNG (xorshift32): integers in [0, n). */
function rng(seed: number): (n: number) => number {
  let x = seed || 1;
  return (n) => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % n;
  };
}

function randomBytes(n: number, seed: number): Buffer {
  const r = rng(seed);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = r(4) === 0 ? r(256) : 0x61 + r(8);
  return out;
}

const PIECES = ['', 'mist_wan_up{site="a"} 1\n', 'é', '🙂', 'Zürich ☃', '# HELP x y\n', '\n', 'x', '"\\'];

/** Text as slices on code-point boundaries (the renderer writes strings), empty slices included. */
function slices(count: number, seed: number): string[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => Array.from({ length: r(5) }, () => PIECES[r(PIECES.length)]!).join(''));
}

async function writeAll(parts: readonly string[]): Promise<Chunk> {
  const w = new ChunkWriter();
  for (const s of parts) await w.write(s);
  return w.end();
}

/** zlib.crc32 continued over n zero bytes from `initial`, snapshotted at each of the ascending lengths. */
function crcOfZeros(initial: number, lengths: readonly number[]): number[] {
  const block = Buffer.alloc(1 << 24);
  const out: number[] = [];
  let crc = initial;
  let done = 0;
  for (const n of lengths) {
    while (done < n) {
      const step = Math.min(block.length, n - done);
      crc = crc32(block.subarray(0, step), crc);
      done += step;
    }
    out.push(crc);
  }
  return out;
}

describe('crc32Combine', () => {
  it('equals zlib.crc32 of A‖B for random splits of real buffers, empty A or B included', () => {
    const r = rng(42);
    for (const total of [0, 1, 2, 17, 1000, 65_535, 65_536, 65_537, 200_003, 3 * 2 ** 20 + 7]) {
      const buf = randomBytes(total, total + 1);
      const whole = crc32(buf);
      const cuts = new Set([0, total, Math.min(total, 65_536), r(total + 1), r(total + 1), r(total + 1)]);
      for (const cut of cuts) {
        const [a, b] = [buf.subarray(0, cut), buf.subarray(cut)];
        expect(crc32Combine(crc32(a), crc32(b), b.length), `${total} cut at ${cut}`).toBe(whole);
      }
    }
  });

  it('matches a naive zero-byte continuation for |B| around 2^32 (no 32-bit truncation of the length)', () => {
    const lengths = [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 32 + 65_541];
    const crcA = 0xdeadbeef;
    const continued = crcOfZeros(crcA, lengths); // crc(A‖0^n), computed the slow way
    const zeros = crcOfZeros(0, lengths); // crc(0^n)
    lengths.forEach((n, i) => expect(crc32Combine(crcA, zeros[i]!, n), `|B| = ${n}`).toBe(continued[i]));
    expect(new Set(continued).size).toBe(lengths.length);
  }, 60_000);
});

describe('ChunkWriter', () => {
  it('round-trips text written in many slices: size, crc and body of the whole text', async () => {
    for (const seed of [1, 2, 3]) {
      const parts = slices(2000, seed);
      const text = parts.join('');
      const chunk = await writeAll(parts);
      expect(chunk.size).toBe(Buffer.byteLength(text));
      expect(chunk.size).toBeGreaterThan(text.length); // multi-byte UTF-8 really was written
      expect(chunk.crc).toBe(crc32(Buffer.from(text)));
      expect(chunk.body.toString()).toBe(text);
      expect(chunk.deflated.length).toBeLessThan(chunk.size);
    }
  });

  it('handles a writer with no (or only empty) writes', async () => {
    const chunk = await writeAll(['', '', '']);
    expect([chunk.size, chunk.crc, chunk.body.length]).toEqual([0, 0, 0]);
  });

  it('waits for the compressor above 4 MiB queued (WRITE_AHEAD) and still round-trips', async () => {
    const settledWithinMicrotasks = async (p: Promise<void>): Promise<boolean> => {
      let settled = false;
      void p.then(() => { settled = true; });
      for (let i = 0; i < 20; i++) await Promise.resolve();
      return settled;
    };
    const w = new ChunkWriter();
    const small = 'é🙂 small\n';
    expect(await settledWithinMicrotasks(w.write(small))).toBe(true);
    const big = `${'mist_wan_bytes{site="s",port="ge-0/0/1"} 12345 🙂\n'.repeat(100_000)}`; // > 4 MiB in one slice
    expect(Buffer.byteLength(big)).toBeGreaterThan(4 * 2 ** 20);
    const pending = w.write(big);
    expect(await settledWithinMicrotasks(pending)).toBe(false); // drain needs the thread pool: a macrotask
    await pending;
    const rest = slices(5000, 9);
    for (let i = 0; i < 3; i++) for (const s of rest) await w.write(s);
    const text = small + big + rest.join('').repeat(3);
    const chunk = await w.end();
    expect(chunk.size).toBe(Buffer.byteLength(text));
    expect(chunk.crc).toBe(crc32(Buffer.from(text)));
    expect(chunk.body.equals(Buffer.from(text))).toBe(true);
  });

  it('can be destroyed after a write without end()', async () => {
    const w = new ChunkWriter();
    await w.write('abc 🙂\n'.repeat(1000));
    expect(() => w.destroy()).not.toThrow();
    expect(() => w.destroy()).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 20)); // any late 'error' would fail the run
  });

  it('adds no listeners per wait: many waits on the compressor leave no MaxListeners warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const w = new ChunkWriter();
      const slice = 'y'.repeat(4.5 * 2 ** 20);
      for (let i = 0; i < 12; i++) await w.write(slice);
      expect((await w.end()).size).toBe(12 * slice.length);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });

  it('releases a write waiting on the compressor when destroyed, and refuses writes afterwards', async () => {
    const w = new ChunkWriter();
    const waiting = w.write('x'.repeat(5 * 2 ** 20)); // over the write-ahead bound: waits for 'drain'
    w.destroy();
    await expect(waiting).resolves.toBeUndefined();
    await expect(w.write('more')).rejects.toThrow(/write after destroy/);
  });
});

describe('gzipParts / assembleGzip', () => {
  async function mixedChunks(): Promise<{ chunks: Chunk[]; plain: Buffer[] }> {
    const plain = [
      Buffer.from(slices(300, 4).join('')), randomBytes(70_001, 5), Buffer.alloc(0), randomBytes(3, 6),
      Buffer.from(slices(100, 7).join('')), Buffer.alloc(0),
    ];
    const chunks = [
      await writeAll([plain[0]!.toString()]), await compressChunk(plain[1]!), compressChunkSync(plain[2]!),
      compressChunkSync(plain[3]!), await writeAll(slices(100, 7)), await writeAll([]),
    ];
    return { chunks, plain };
  }

  function checkMember(chunks: readonly Chunk[], plain: readonly Buffer[]): void {
    const { parts, length } = gzipParts(chunks);
    const gz = assembleGzip(chunks);
    const want = Buffer.concat(plain);
    expect(gunzipSync(gz).equals(want)).toBe(true);
    expect(length).toBe(parts.reduce((n, p) => n + p.length, 0));
    expect(gz.length).toBe(length);
    expect(Buffer.concat(parts).equals(gz)).toBe(true);
    expect(gz.readUInt32LE(gz.length - 8)).toBe(crc32(want));
    expect(gz.readUInt32LE(gz.length - 4)).toBe(want.length);
    expect(parts.length).toBe(chunks.length + 3); // header, chunks, final block, trailer
    chunks.forEach((c, i) => expect(parts[i + 1], `part ${i + 1}`).toBe(c.deflated)); // same objects, no copies
  }

  it('makes one gzip member of mixed chunks that gunzips to the concatenated bodies', async () => {
    const { chunks, plain } = await mixedChunks();
    chunks.forEach((c, i) => expect(c.body.equals(plain[i]!), `chunk ${i}`).toBe(true));
    checkMember(chunks, plain);
    checkMember([...chunks].reverse(), [...plain].reverse());
  });

  it('handles a single chunk, a single empty chunk, and no chunks', async () => {
    const { chunks, plain } = await mixedChunks();
    for (const i of [0, 1, 2, 5]) checkMember([chunks[i]!], [plain[i]!]);
    checkMember([], []);
  });
});

describe('inflateChunks', () => {
  it('streams back the concatenated plain bytes', async () => {
    const plain = [randomBytes(100_000, 11), Buffer.alloc(0), Buffer.from('é🙂\n'), randomBytes(1 << 20, 12)];
    const chunks = [compressChunkSync(plain[0]!), compressChunkSync(plain[1]!), await writeAll([plain[2]!.toString()]),
      await compressChunk(plain[3]!)];
    const out = Buffer.concat(await inflateChunks(chunks).toArray());
    expect(out.equals(Buffer.concat(plain))).toBe(true);
    expect(Buffer.concat(await inflateChunks([]).toArray()).length).toBe(0);
  });
});

describe('deflatedChunk', () => {
  it('inflates its body from deflated bytes made elsewhere', () => {
    const body = randomBytes(123_457, 13);
    const deflated = deflateRawSync(body, { level: 6, finishFlush: constants.Z_SYNC_FLUSH });
    const chunk = deflatedChunk(deflated, crc32(body), body.length);
    expect(chunk.body.equals(body)).toBe(true);
    expect([chunk.size, chunk.crc, chunk.deflated]).toEqual([body.length, crc32(body), deflated]);
    expect(gunzipSync(assembleGzip([chunk, compressChunkSync(body)])).equals(Buffer.concat([body, body]))).toBe(true);
  });
});
