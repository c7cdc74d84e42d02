// TOTP (RFC 6238) through otplib: enrolment secrets, otpauth URIs with a QR code, and verification that
// refuses a code already used (replay) and accepts one step of clock drift either way.
import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';

export const TOTP_ISSUER = 'Election Ops Center';

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export async function enrolmentMaterial(secret: string, email: string): Promise<{ otpauthUrl: string; qrDataUrl: string }> {
  const otpauthUrl = generateURI({ issuer: TOTP_ISSUER, label: email, secret });
  const qrDataUrl = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2, width: 220 });
  return { otpauthUrl, qrDataUrl };
}

/** Returns the accepted time step, or null. `lastStep` is the step accepted last time (replay guard). */
export function checkTotp(secret: string, code: string, lastStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  try {
    const result = verifySync({ secret, token: code, epochTolerance: 30, ...(lastStep !== null ? { afterTimeStep: lastStep } : {}) });
    return result.valid && 'epoch' in result ? Math.floor(result.epoch / 30) : null;
  } catch {
    return null;
  }
}

/** The current code; used by tests and the demo to act as an authenticator app. */
export function currentTotp(secret: string, at: number = Date.now()): string {
  return generateSync({ secret, epoch: Math.floor(at / 1000) });
}
