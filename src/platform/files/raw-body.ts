// File uploads arrive as the raw request body with the file's content type and its name in X-Filename, so no
// multipart parser holds the file twice. Registered once for every route that takes files.
import type { App } from '../http/server.js';
import { ACCEPTED_FILES } from './check-upload.js';

export function acceptRawFiles(app: App, limitBytes: number): void {
  // application/json stays with the JSON parser; everything else accepted is read as a Buffer, and
  // application/octet-stream too, so that an unknown type gets the clear 415 of checkUpload.
  const types = [...Object.keys(ACCEPTED_FILES).filter((t) => t !== 'application/json'), 'application/octet-stream'];
  app.addContentTypeParser(types, { parseAs: 'buffer', bodyLimit: limitBytes }, (_req, body, done) => done(null, body));
}
