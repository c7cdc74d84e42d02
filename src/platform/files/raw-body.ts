// File uploads arrive as the raw request body with the file's content type and its name in X-Filename, so no
// multipart parser holds the file twice. Registered once for every route that takes files.
import type { App } from '../http/server.js';
import { ACCEPTED_FILES } from './check-upload.js';

export function acceptRawFiles(app: App, limitBytes: number): void {
  // JSON is not among them (its parser owns application/json); application/octet-stream is read too, so an
  // unknown type gets the clear 415 of checkUpload rather than a parser error.
  const types = [...Object.keys(ACCEPTED_FILES), 'application/octet-stream'];
  app.addContentTypeParser(types, { parseAs: 'buffer', bodyLimit: limitBytes }, (_req, body, done) => done(null, body));
}
