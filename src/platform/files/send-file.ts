// Serving a stored file: always as a download (never rendered by the browser), with its hash and no caching.
import type { FastifyReply } from 'fastify';

export interface StoredFile {
  readonly filename: string;
  readonly contentType: string;
  readonly sha256: string;
  readonly data: Buffer;
}

export function sendStoredFile(reply: FastifyReply, file: StoredFile) {
  return reply
    .type(file.contentType)
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
    .header('x-content-sha256', file.sha256)
    .header('cache-control', 'private, no-store')
    .send(file.data);
}
