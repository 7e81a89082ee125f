import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { RawEntry } from './validate.js';

/**
 * Reads the YAML form of the inventory: `circuits:` followed by a list of mappings (a bare top-level list is
 * accepted too). Parsed with the `yaml` library's failsafe schema, so every value stays the text the operator
 * wrote (circuit id 00123 keeps its zeros; numbers are checked by the validator, as for CSV).
 */
export function parseYamlInventory(text: string): { entries: RawEntry[]; problems: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter, prettyErrors: false });
  const problems = doc.errors.map((e) => `line ${lineCounter.linePos(e.pos[0]).line}: ${e.code === 'MULTIPLE_DOCS' ? MULTIPLE_DOCS : firstLine(e.message)}`);
  if (problems.length > 0) return { entries: [], problems };
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 0);
  let list: Node | null | undefined = doc.contents;
  if (isMap(list)) {
    const keys = list.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : '?'));
    const other = keys.filter((k) => k !== 'circuits');
    if (other.length > 0) problems.push(`line ${lineOf(list)}: unknown top-level key(s) ${other.map((k) => `"${k}"`).join(', ')} (expected "circuits:")`);
    list = list.get('circuits', true) as Node | undefined;
  }
  if (list === null || list === undefined || (isScalar(list) && String(list.value).trim() === '')) return { entries: [], problems };
  if (!isSeq(list)) return { entries: [], problems: [...problems, `line ${lineOf(list)}: "circuits" must be a list of entries (- site: …)`] };
  const entries: RawEntry[] = [];
  list.items.forEach((item, i) => {
    const line = lineOf(item as Node);
    const where = `entry #${i + 1} (line ${line})`;
    if (!isMap(item)) {
      problems.push(`${where}: must be a mapping of column: value`);
      return;
    }
    const fields = new Map<string, string>();
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? String(pair.key.value).trim().toLowerCase() : '';
      if (!isScalar(pair.value) && pair.value !== null) {
        problems.push(`${where}: "${key}" must be a single value, not a list or mapping`);
        continue;
      }
      const value = isScalar(pair.value) ? String(pair.value.value).trim() : '';
      // Failsafe keeps `~` and `null` as text; in YAML they mean "no value".
      fields.set(key, value === '~' || value === 'null' ? '' : value);
    }
    entries.push({ line: i + 1, where, fields });
  });
  return { entries, problems };
}

/** The library's own words ("please use YAML.parseAllDocuments()") speak to programmers, not to the file's author. */
const MULTIPLE_DOCS = 'the file holds more than one YAML document (a "---" line starts another): keep one "circuits:" list';

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
