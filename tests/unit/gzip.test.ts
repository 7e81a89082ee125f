import { spawnSync } from 'node:child_process';
import { crc32, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assembleGzip, compressChunk, compressChunkSync, crc32Combine } from '../../src/metrics/gzip.js';

/** Deterministic pseudo-random bytes (xorshift32), partly compressible like exposition text. */
function bytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = (x & 0x100) !== 0 ? 0x61 + ((x >>> 3) & 7) : x & 0xff;
  }
  return out;
}

const SIZES = [0, 1, 2, 3, 7, 8, 255, 256, 1023, 4096, 65_537, 1 << 20];

/** gzip(1) checks the CRC-32 and length in the trailer: a real, widely used decoder. */
function gzipTool(args: string[], input: Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const res = spawnSync('gzip', args, { input, maxBuffer: 64 << 20 });
  if (res.error) throw new Error(`cannot run gzip: ${res.error.message}`);
  return { status: res.status, stdout: res.stdout, stderr: res.stderr.toString() };
}

describe('crc32Combine', () => {
  it('equals zlib.crc32 of the concatenation for random sizes, empty parts included', () => {
    let seed = 7;
    for (const a of SIZES) {
      for (const b of SIZES) {
        const A = bytes(a, seed++);
        const B = bytes(b, seed++);
        expect(crc32Combine(crc32(A), crc32(B), B.length), `${a}+${b}`).toBe(crc32(Buffer.concat([A, B])));
      }
    }
  });

  it('is associative, also for lengths beyond 2^32 (no 32-bit truncation of the length)', () => {
    const [a, b, c] = [0x12345678, 0x9abcdef0, 0x0fedcba9];
    for (const [lb, lc] of [[10, 20], [2 ** 32 - 3, 10], [2 ** 33 + 5, 2 ** 31], [2 ** 40, 1]] as const) {
      expect(crc32Combine(crc32Combine(a, b, lb), c, lc), `${lb},${lc}`).toBe(crc32Combine(a, crc32Combine(b, c, lc), lb + lc));
    }
    // Appending 2^32 zero bytes is not a no-op for the CRC.
    expect(crc32Combine(a, 0, 2 ** 32)).not.toBe(crc32Combine(a, 0, 0));
  });
});

describe('assembleGzip (one gzip member from independently deflated chunks)', () => {
  const parts = [bytes(70_000, 1), Buffer.alloc(0), Buffer.from('# HELP x y\n# TYPE x gauge\nx{a="Zürich ☃"} 1\n'), bytes(3, 2), bytes(200_000, 3)];

  it('gunzips to the concatenation of the chunks', () => {
    const gz = assembleGzip(parts.map(compressChunkSync));
    expect(gz.subarray(0, 3)).toEqual(Buffer.from([0x1f, 0x8b, 0x08]));
    expect(gunzipSync(gz).equals(Buffer.concat(parts))).toBe(true);
    expect(gz.readUInt32LE(gz.length - 4)).toBe(Buffer.concat(parts).length);
    expect(gz.readUInt32LE(gz.length - 8)).toBe(crc32(Buffer.concat(parts)));
  });

  it('works for any subset and order of cached chunks (as ?family= selects them)', () => {
    const chunks = parts.map(compressChunkSync);
    for (const pick of [[], [0], [1], [4, 2], [2, 1, 0], [3, 3, 3]]) {
      const gz = assembleGzip(pick.map((i) => chunks[i]!));
      expect(gunzipSync(gz).equals(Buffer.concat(pick.map((i) => parts[i]!))), JSON.stringify(pick)).toBe(true);
    }
  });

  it('is accepted by gzip -t, and gzip -dc restores the bytes', () => {
    const gz = assembleGzip(parts.map(compressChunkSync));
    expect(gzipTool(['-t'], gz)).toMatchObject({ status: 0, stderr: '' });
    expect(gzipTool(['-dc'], gz).stdout.equals(Buffer.concat(parts))).toBe(true);
    expect(gzipTool(['-t'], assembleGzip([]))).toMatchObject({ status: 0, stderr: '' });
  });

  it('is rejected by gzip -t when the combined CRC is wrong (so the check above means something)', () => {
    const gz = assembleGzip(parts.map(compressChunkSync));
    gz.writeUInt32LE((gz.readUInt32LE(gz.length - 8) ^ 1) >>> 0, gz.length - 8);
    expect(gzipTool(['-t'], gz).status).not.toBe(0);
    expect(() => gunzipSync(gz)).toThrow();
  });

  it('compresses the same way off the event loop as in the sync path', async () => {
    const body = bytes(100_000, 9);
    const [a, b] = [await compressChunk(body), compressChunkSync(body)];
    expect(a.crc).toBe(crc32(body));
    expect(a.deflated.equals(b.deflated)).toBe(true);
    expect(a.deflated.length).toBeLessThan(body.length);
  });
});
