import { once } from 'node:events';
import { pipeline, Readable } from 'node:stream';
import { constants, crc32, createDeflateRaw, createInflateRaw, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { promisify } from 'node:util';

/**
 * gzip for a body made of independently compressed chunks, without recompressing on each scrape.
 * Each chunk is raw deflate ended with a sync flush (no final block), so chunks concatenate into one deflate
 * stream; a scrape prepends a gzip header, appends an empty final block, and the CRC-32 of the whole body,
 * combined from the chunks' CRCs. One standard gzip member comes out, readable by any client.
 */

const deflateRawAsync = promisify(deflateRaw);

export interface Chunk {
  /**
   * The plain bytes. Chunks made by ChunkWriter (the exposition cache's) do not keep them: reading `body`
   * inflates `deflated` each time (tests, diagnostics); the serving path uses `deflated` and `size`.
   */
  readonly body: Buffer;
  /** Length of the plain bytes. */
  readonly size: number;
  readonly deflated: Buffer;
  readonly crc: number;
}

const OPTIONS = { level: 6, finishFlush: constants.Z_SYNC_FLUSH } as const;

/** Compresses off the event loop (zlib's thread pool). */
export async function compressChunk(body: Buffer): Promise<Chunk> {
  return { body, size: body.length, deflated: await deflateRawAsync(body, OPTIONS), crc: crc32(body) };
}

/** For small bodies rendered per scrape. */
export function compressChunkSync(body: Buffer): Chunk {
  return { body, size: body.length, deflated: deflateRawSync(body, OPTIONS), crc: crc32(body) };
}

/** Queued plain bytes above which ChunkWriter.write waits for the compressor (bounds memory, lets render run ahead). */
const WRITE_AHEAD = 4 * 2 ** 20;

/**
 * Compresses a body written in slices (the renderer's) into a Chunk on zlib's thread pool, without ever holding
 * the whole plain body: a family's text is never one big string or buffer, and the cache keeps only the deflated
 * bytes (about a tenth of the text).
 */
export class ChunkWriter {
  private readonly deflate = createDeflateRaw(OPTIONS);
  private readonly out: Buffer[] = [];
  private readonly ended: Promise<unknown>;
  /** Settles when the stream closes, also when destroyed (which emits neither 'drain' nor 'end'). */
  private readonly closed: Promise<unknown>;
  private crc = 0;
  private size = 0;

  constructor() {
    this.deflate.on('data', (b: Buffer) => this.out.push(b));
    this.ended = once(this.deflate, 'end');
    this.ended.catch(() => undefined); // surfaced by write() or end()
    // One listener for the writer's life, not one per wait.
    this.closed = once(this.deflate, 'close');
    this.closed.catch(() => undefined);
  }

  async write(text: string): Promise<void> {
    if (this.deflate.destroyed) throw new Error('ChunkWriter: write after destroy');
    if (text.length === 0) return;
    const buf = Buffer.from(text);
    this.crc = crc32(buf, this.crc);
    this.size += buf.length;
    this.deflate.write(buf);
    // 'close' too: a destroyed stream emits neither 'drain' nor 'end', and the write must not wait forever.
    if (this.deflate.writableLength > WRITE_AHEAD) await Promise.race([once(this.deflate, 'drain'), this.closed, this.ended]);
  }

  async end(): Promise<Chunk> {
    this.deflate.end();
    await this.ended;
    return deflatedChunk(Buffer.concat(this.out), this.crc, this.size);
  }

  /** Abandons the chunk (the render failed). */
  destroy(): void {
    this.deflate.destroy();
  }
}

/** A chunk from its deflated bytes (made elsewhere, e.g. by the render worker): `body` inflates on demand. */
export function deflatedChunk(deflated: Buffer, crc: number, size: number): Chunk {
  return {
    deflated, crc, size,
    get body(): Buffer {
      return inflateRawSync(Buffer.concat([deflated, FINAL_BLOCK]));
    },
  };
}

/** The plain bytes of chunks, inflated as they stream (for clients that do not accept gzip). */
export function inflateChunks(chunks: readonly Chunk[]): Readable {
  return pipeline(Readable.from([...chunks.map((c) => c.deflated), FINAL_BLOCK]), createInflateRaw(), () => undefined);
}

const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
/** An empty final block with fixed Huffman codes: BFINAL=1, BTYPE=01, end-of-block. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

export function assembleGzip(chunks: readonly Chunk[]): Buffer {
  return Buffer.concat(gzipParts(chunks).parts);
}

/**
 * The gzip member of assembleGzip as the buffers it is made of (header, each chunk's deflated bytes, final
 * block, trailer), without copying the chunks: what a scrape writes to the socket.
 */
export function gzipParts(chunks: readonly Chunk[]): { readonly parts: readonly Buffer[]; readonly length: number } {
  let crc = 0;
  let size = 0;
  for (const c of chunks) {
    crc = size === 0 ? c.crc : crc32Combine(crc, c.crc, c.size);
    size += c.size;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  const parts = [HEADER, ...chunks.map((c) => c.deflated), FINAL_BLOCK, trailer];
  return { parts, length: parts.reduce((n, b) => n + b.length, 0) };
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
