/**
 * A small RFC 4180 CSV reader for the circuit inventory: quoted fields ("a, b"), doubled quotes inside them,
 * line breaks inside quotes, CRLF or LF, a UTF-8 byte-order mark (Excel writes one). Blank lines and lines
 * starting with `#` are skipped, so example files can explain themselves. Hand-written rather than a library:
 * this is the whole grammar, and every row must keep the line it starts on for the problem list.
 */

export interface CsvRow {
  /** 1-based line the row starts on. */
  readonly line: number;
  readonly fields: readonly string[];
}

export interface CsvResult {
  readonly rows: readonly CsvRow[];
  readonly problems: readonly string[];
}

export function parseCsv(text: string): CsvResult {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: CsvRow[] = [];
  const problems: string[] = [];
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const start = line;
    // A comment or blank line (only at the start of a row, never inside quotes).
    const eol = nextLineEnd(src, i);
    const raw = src.slice(i, eol);
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) {
      i = skipLineBreak(src, eol);
      line++;
      continue;
    }
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let wasQuoted = false;
    for (;;) {
      const c = src[i];
      if (quoted) {
        if (c === undefined) {
          problems.push(`line ${start}: a quoted field is not closed (a " is missing)`);
          break;
        }
        if (c === '"' && src[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (c === '"') {
          quoted = false;
          i++;
        } else {
          if (c === '\n') line++;
          field += c;
          i++;
        }
        continue;
      }
      if (c === undefined || c === '\n' || c === '\r') {
        fields.push(wasQuoted ? field : field.trim());
        i = skipLineBreak(src, i);
        if (c !== undefined) line++;
        break;
      }
      if (c === ',') {
        fields.push(wasQuoted ? field : field.trim());
        field = '';
        wasQuoted = false;
        i++;
      } else if (c === '"' && field.trim() === '' && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
        field = '';
        i++;
      } else if (c === '"' || wasQuoted) {
        // Text after a closing quote, or a quote inside an unquoted field: ambiguous, so say so.
        if (!(wasQuoted && (c === ' ' || c === '\t'))) {
          problems.push(`line ${line}: stray " or text after a quoted field (quote the whole field and double inner quotes: "a ""b""")`);
          i = skipLineBreak(src, nextLineEnd(src, i));
          line++;
          fields.length = 0;
          break;
        }
        i++;
      } else {
        field += c;
        i++;
      }
    }
    if (quoted) break;
    if (fields.length > 0) rows.push({ line: start, fields });
  }
  return { rows, problems };
}

function nextLineEnd(src: string, from: number): number {
  let j = from;
  while (j < src.length && src[j] !== '\n' && src[j] !== '\r') j++;
  return j;
}

function skipLineBreak(src: string, at: number): number {
  if (src[at] === '\r' && src[at + 1] === '\n') return at + 2;
  return at < src.length ? at + 1 : at;
}
