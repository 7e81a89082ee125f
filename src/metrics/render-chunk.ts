import { renderFamilyTo, type Counters, type OrgPages, type RenderCounts } from './exposition.js';
import { ChunkWriter, type Chunk } from './gzip.js';
import type { FamilyCatalogue } from './types.js';

export interface RenderedChunk extends RenderCounts {
  readonly chunk: Chunk;
}

/** Renders one family straight into a deflated chunk: the text streams into the compressor, never held whole. */
export async function renderFamilyChunk<R>(catalogue: FamilyCatalogue<R>, input: readonly OrgPages[], counters: Counters): Promise<RenderedChunk> {
  const writer = new ChunkWriter();
  let rendered: RenderCounts;
  try {
    rendered = await renderFamilyTo(catalogue, input, counters, (text) => writer.write(text));
  } catch (err) {
    writer.destroy();
    throw err;
  }
  return { chunk: await writer.end(), ...rendered };
}
