import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseCsv } from './csv.js';
import { decodeInventory } from './decode.js';
import type { Inventory } from './types.js';
import { INVENTORY_COLUMNS, validateEntries, type RawEntry } from './validate.js';
import { parseYamlInventory } from './yaml.js';

export type InventoryFormat = 'csv' | 'yaml';

/** The file's format by its extension; undefined when it has none of .csv, .yaml, .yml. */
export function inventoryFormatOf(file: string): InventoryFormat | undefined {
  const ext = extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined;
}

/** A circuit inventory file that cannot be used: every problem, each naming its line or entry. */
export class InventoryError extends Error {
  readonly code = 'E_INVENTORY';
  readonly problems: readonly string[];
  constructor(readonly file: string, problems: readonly string[]) {
    super(`circuit inventory ${file}: ${problems.length} problem(s):\n${problems.join('\n')}`);
    this.name = 'InventoryError';
    this.problems = Object.freeze([...problems]);
  }
}

export interface ParsedInventory {
  /** Null when there is any problem: a file is used whole or not at all. */
  readonly inventory: Inventory | null;
  readonly problems: readonly string[];
}

/** Parses and validates the text of an inventory file. Pure. */
export function parseInventory(text: string, format: InventoryFormat, source: string, loadedAt: number): ParsedInventory {
  const read = format === 'csv' ? csvEntries(text) : parseYamlInventory(text);
  const checked = validateEntries(read.entries);
  // An empty-file complaint adds nothing when the file could not be read as entries at all.
  const problems = [...read.problems, ...(read.problems.length > 0 && read.entries.length === 0 ? [] : checked.problems)];
  if (problems.length > 0) return { inventory: null, problems };
  return { inventory: { source, entries: checked.entries, loadedAt }, problems };
}

/** parseInventory on the file's bytes: text that is not UTF-8 (UTF-16, Windows-1252, binary) is a problem, not garbled names. */
export function parseInventoryBytes(bytes: Uint8Array, format: InventoryFormat, source: string, loadedAt: number): ParsedInventory {
  const decoded = decodeInventory(bytes);
  if (decoded.problems.length > 0) return { inventory: null, problems: decoded.problems };
  return parseInventory(decoded.text, format, source, loadedAt);
}

/** Reads and validates the file; throws InventoryError listing every problem. */
export async function readInventoryFile(file: string, now: () => number = Date.now): Promise<Inventory> {
  return (await loadInventoryFile(file, now)).inventory;
}

/** As readInventoryFile, with the bytes it read (the watcher hashes exactly what it accepted). */
export async function loadInventoryFile(file: string, now: () => number): Promise<{ inventory: Inventory; bytes: Buffer }> {
  const format = inventoryFormatOf(file);
  if (!format) throw new InventoryError(file, ['the file name must end in .csv, .yaml or .yml (that is how its format is chosen)']);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new InventoryError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  const parsed = parseInventoryBytes(bytes, format, file, now());
  if (!parsed.inventory) throw new InventoryError(file, parsed.problems);
  return { inventory: parsed.inventory, bytes };
}

/** CSV: a header row naming the columns (any order, case-insensitive), then one circuit per row. */
function csvEntries(text: string): { entries: RawEntry[]; problems: string[] } {
  const { rows: all, problems: csvProblems } = parseCsv(text);
  const problems = [...csvProblems];
  // Rows of empty fields only (",,,,": what a spreadsheet writes for rows that were formatted but left blank) are blank lines.
  const rows = all.filter((row) => row.fields.some((f) => f !== ''));
  const [header, ...body] = rows;
  if (!header) return { entries: [], problems };
  const columns = header.fields.map((c) => c.trim().toLowerCase());
  const separator = columns.length === 1 ? [';', '\t', '|'].find((c) => columns[0]!.includes(c)) : undefined;
  if (separator !== undefined) {
    // One column named "site;port;…": separated by something else than commas. One problem says so (not one per row).
    const name = separator === '\t' ? 'tabs' : `"${separator}"`;
    problems.push(`line ${header.line}: the header's columns are separated by ${name}, not commas: save the file as comma-separated CSV (Excel: "CSV UTF-8 (Comma delimited)")`);
    return { entries: [], problems };
  }
  columns.forEach((c, i) => {
    if (c === '') problems.push(`line ${header.line}: column ${i + 1} of the header has no name`);
    else if (columns.indexOf(c) !== i) problems.push(`line ${header.line}: column "${c}" appears twice in the header`);
    else if (!(INVENTORY_COLUMNS as readonly string[]).includes(c)) problems.push(`line ${header.line}: unknown column "${c}" (columns: ${INVENTORY_COLUMNS.join(', ')})`);
  });
  for (const required of ['site', 'port']) {
    if (!columns.includes(required)) problems.push(`line ${header.line}: the header has no "${required}" column (the first row names the columns: site,port,down_mbps,up_mbps,…)`);
  }
  // A header without site or port would make every row complain about it: one problem says it.
  if (!columns.includes('site') || !columns.includes('port')) return { entries: [], problems };
  const entries: RawEntry[] = [];
  for (const row of body) {
    const where = `line ${row.line}`;
    if (row.fields.length !== columns.length) {
      problems.push(`${where}: has ${row.fields.length} field(s), the header has ${columns.length} (quote fields that contain a comma)`);
      continue;
    }
    const fields = new Map<string, string>();
    columns.forEach((c, i) => {
      // Unknown columns were reported once, at the header.
      if ((INVENTORY_COLUMNS as readonly string[]).includes(c) && !fields.has(c)) fields.set(c, row.fields[i] ?? '');
    });
    entries.push({ line: row.line, where, fields });
  }
  return { entries, problems };
}
