// Reads CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF line ends, a byte-order mark) into rows of
// cells, with the line number each row started on, so errors can point at it. Small on purpose: the lists
// imported here are tens of thousands of lines, not gigabytes.
export interface CsvRow {
  readonly line: number;
  readonly cells: string[];
}

export function parseCsv(text: string): { rows: CsvRow[] } | { error: string; line: number } {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else quoted = false;
      } else {
        if (ch === '\n') line += 1;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      endRow();
      line += 1;
      rowLine = line;
    } else cell += ch;
  }
  if (quoted) return { error: 'a quoted field is not closed', line: rowLine };
  if (cell !== '' || cells.length) endRow();
  return { rows };
}
