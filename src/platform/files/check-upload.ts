// Uploaded files are believed only when their bytes agree with their name and declared type: a ".pdf" that is
// a Windows or Linux executable, a script, or a ZIP is refused with a message a person can act on. The sniffing
// itself is file-type (magic numbers); the rules of what we accept are ours.
import { fileTypeFromBuffer } from 'file-type';
import { AppError } from '../http/errors.js';

interface Kind {
  readonly extensions: readonly string[];
  /** What file-type reports for genuine files of this kind; `text` means "no binary signature, valid UTF-8". */
  readonly sniffed: readonly string[] | 'text';
}

export const ACCEPTED_FILES: Readonly<Record<string, Kind>> = {
  'application/pdf': { extensions: ['pdf'], sniffed: ['application/pdf'] },
  'image/png': { extensions: ['png'], sniffed: ['image/png'] },
  'image/jpeg': { extensions: ['jpg', 'jpeg'], sniffed: ['image/jpeg'] },
  'text/plain': { extensions: ['txt', 'log', 'eml'], sniffed: 'text' },
  'text/csv': { extensions: ['csv'], sniffed: 'text' },
  'message/rfc822': { extensions: ['eml'], sniffed: 'text' },
  'application/zip': { extensions: ['zip'], sniffed: ['application/zip'] },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { extensions: ['docx'], sniffed: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/zip'] },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { extensions: ['xlsx'], sniffed: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/zip'] },
};

/** Signatures of programs, refused whatever the file claims to be. */
const EXECUTABLE_SNIFFS = new Set(['application/x-msdownload', 'application/x-elf', 'application/x-mach-binary', 'application/x-executable', 'application/x-sharedlib', 'application/vnd.microsoft.portable-executable', 'application/x-msi', 'application/wasm', 'application/java-vm', 'application/x-sh']);

function startsWithExecutable(data: Buffer): boolean {
  if (data.length >= 2 && data[0] === 0x4d && data[1] === 0x5a) return true; // MZ (Windows)
  if (data.length >= 4 && data.readUInt32BE(0) === 0x7f454c46) return true; // ELF
  if (data.length >= 4 && [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(data.readUInt32BE(0))) return true; // Mach-O, Java class
  if (data.length >= 2 && data[0] === 0x23 && data[1] === 0x21) return true; // #! script
  return false;
}

export interface CheckedFile {
  readonly filename: string;
  readonly contentType: string;
}

/** Checks an upload; returns its cleaned name and type, or throws a 415 that says what is wrong. */
export async function checkUpload(filename: string, declaredType: string, data: Buffer): Promise<CheckedFile> {
  const name = filename.replace(/[\\/\u0000-\u001f\u007f]/g, '_').replace(/^\.+/, '').slice(0, 200) || 'attachment';
  const contentType = declaredType.split(';')[0]!.trim().toLowerCase();
  const kind = ACCEPTED_FILES[contentType];
  const accepted = 'PDF, PNG, JPEG, text, CSV, email (.eml), ZIP, Word or Excel';
  if (!kind) throw new AppError('unsupported-media-type', `Files of type ${contentType || 'unknown'} cannot be attached. Use ${accepted}.`, { details: [{ field: 'file', message: 'type not accepted' }] });
  const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
  if (!kind.extensions.includes(ext)) {
    throw new AppError('unsupported-media-type', `The file name "${name}" does not match its type ${contentType} (expected .${kind.extensions.join(' or .')}).`, { details: [{ field: 'file', message: 'name and type disagree' }] });
  }
  if (data.length === 0) throw new AppError('validation-failed', 'The file is empty.', { details: [{ field: 'file', message: 'empty' }] });
  const sniffed = await fileTypeFromBuffer(data);
  if (startsWithExecutable(data) || (sniffed && EXECUTABLE_SNIFFS.has(sniffed.mime))) {
    throw new AppError('unsupported-media-type', `"${name}" is a program, not a ${ext.toUpperCase()} file. Programs cannot be attached.`, { details: [{ field: 'file', message: 'executable content' }] });
  }
  if (kind.sniffed === 'text') {
    const isText = !sniffed && !data.includes(0) && isUtf8(data);
    if (!isText) throw new AppError('unsupported-media-type', `"${name}" is not a text file${sniffed ? ` (its content is ${sniffed.mime})` : ''}.`, { details: [{ field: 'file', message: 'content does not match type' }] });
  } else if (!sniffed || !kind.sniffed.includes(sniffed.mime)) {
    throw new AppError('unsupported-media-type', `"${name}" does not contain what its name says (${sniffed ? `it is ${sniffed.mime}` : 'unrecognised content'}).`, { details: [{ field: 'file', message: 'content does not match type' }] });
  }
  return { filename: name, contentType };
}

function isUtf8(data: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}
