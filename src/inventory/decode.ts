/**
 * The bytes of an inventory file as text, or why they are not UTF-8 text. Spreadsheets are where inventories come
 * from, and they save in other encodings: Excel's "Unicode Text" is UTF-16, its plain "CSV" Windows-1252 (then
 * "Zürich" is not UTF-8 and would silently become "Z�rich", matching no site), a workbook renamed .csv is binary.
 * Each is one clear problem (per line for bad UTF-8) instead of garbled names. Pure.
 */
export function decodeInventory(bytes: Uint8Array): { text: string; problems: readonly string[] } {
  const fix = 'save it as UTF-8 (Excel: "CSV UTF-8 (Comma delimited)")';
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { text: '', problems: [`the file is UTF-16 text (a UTF-16 byte-order mark; Excel's "Unicode Text"): ${fix}`] };
  }
  if (bytes.includes(0)) {
    return { text: '', problems: [`line ${lineAt(bytes, bytes.indexOf(0))}: the file contains NUL bytes, so it is not text (a spreadsheet workbook, or UTF-16 without a byte-order mark?): ${fix}`] };
  }
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return { text: strict.decode(bytes), problems: [] };
  } catch {
    // Which lines: each is decoded on its own (a line feed never occurs inside a UTF-8 sequence).
    const problems: string[] = [];
    let start = 0;
    for (let line = 1; start <= bytes.length; line++) {
      const end = bytes.indexOf(0x0a, start);
      const stop = end < 0 ? bytes.length : end;
      try {
        strict.decode(bytes.subarray(start, stop));
      } catch {
        problems.push(`line ${line}: not valid UTF-8 (written in another encoding, such as Windows-1252 or Latin-1?): ${fix}`);
      }
      start = stop + 1;
    }
    return { text: '', problems };
  }
}

function lineAt(bytes: Uint8Array, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
