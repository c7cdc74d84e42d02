// Page cursors for lists ordered newest first by (created_at, id): opaque to clients, checked when read back.
import { AppError } from './errors.js';

export interface Keyset {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeKeyset(k: Keyset): string {
  return Buffer.from(JSON.stringify([k.createdAt.toISOString(), k.id])).toString('base64url');
}

export function decodeKeyset(cursor: string): Keyset {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    if (!Number.isNaN(createdAt.getTime()) && /^[0-9a-f-]{36}$/i.test(id)) return { createdAt, id };
  } catch {
    // fall through
  }
  throw new AppError('validation-failed', 'The page cursor is not valid; start from the first page.', { details: [{ field: 'cursor', message: 'invalid' }] });
}
