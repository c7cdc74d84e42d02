// CSV as spreadsheets open it safely: quoted where needed, and cells that would run as formulas neutralised.

export function csvCell(value: unknown): string {
  const s = Array.isArray(value) ? value.join(' ') : String(value ?? '');
  // Leading =,+,-,@ would be formulas in a spreadsheet: neutralise them.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;
