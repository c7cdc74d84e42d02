/** Rows of a raw `execute` on either driver. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** A one-dimensional array of ids or words as either driver hands it back: a list, or its text form `{a,b}`. */
export function arrayOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : String(value ?? '').replace(/[{}]/g, '').split(',').filter(Boolean);
}
