import { constants, crc32, deflateRaw, deflateRawSync } from 'node:zlib';
import { promisify } from 'node:util';

/**
 * gzip for a body made of independently compressed chunks, without recompressing on each scrape.
 * Each chunk is raw deflate ended with a sync flush (no final block), so chunks concatenate into one deflate
 * stream; a scrape prepends a gzip header, appends an empty final block, and the CRC-32 of the whole body,
 * combined from the chunks' CRCs. One standard gzip member comes out, readable by any client.
 */

const deflateRawAsync = promisify(deflateRaw);

export interface Chunk {
  readonly body: Buffer;
  readonly deflated: Buffer;
  readonly crc: number;
}

const OPTIONS = { level: 6, finishFlush: constants.Z_SYNC_FLUSH } as const;

/** Compresses off the event loop (zlib's thread pool). */
export async function compressChunk(body: Buffer): Promise<Chunk> {
  return { body, deflated: await deflateRawAsync(body, OPTIONS), crc: crc32(body) };
}

/** For small bodies rendered per scrape. */
export function compressChunkSync(body: Buffer): Chunk {
  return { body, deflated: deflateRawSync(body, OPTIONS), crc: crc32(body) };
}

const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
/** An empty final block with fixed Huffman codes: BFINAL=1, BTYPE=01, end-of-block. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

export function assembleGzip(chunks: readonly Chunk[]): Buffer {
  let crc = 0;
  let size = 0;
  for (const c of chunks) {
    crc = size === 0 ? c.crc : crc32Combine(crc, c.crc, c.body.length);
    size += c.body.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  return Buffer.concat([HEADER, ...chunks.map((c) => c.deflated), FINAL_BLOCK, trailer]);
}

// CRC-32 combination: crc(A‖B) from crc(A), crc(B) and |B|, by polynomial arithmetic modulo the CRC-32
// polynomial (reflected 0xedb88320): crc(A‖B) = crc(A)·x^(8|B|) + crc(B).
const POLY = 0xedb88320;

function multiplyModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = (b & 1) !== 0 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) mod P, for k = 0..31. */
const X2N: number[] = (() => {
  const table = [0x40000000];
  for (let k = 1; k < 32; k++) table.push(multiplyModP(table[k - 1]!, table[k - 1]!));
  return table;
})();

/** x^(n·2^k) mod P. */
function xPowModP(n: number, k: number): number {
  let p = 0x80000000;
  while (n > 0) {
    if (n % 2 === 1) p = multiplyModP(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k += 1;
  }
  return p;
}

export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multiplyModP(xPowModP(lengthB, 3), crcA) ^ crcB) >>> 0;
}
