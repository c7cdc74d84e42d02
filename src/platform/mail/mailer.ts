// Outgoing email over SMTP (nodemailer). Without SMTP_URL, messages are written to the log so that a laptop
// install still shows invitation links; nothing pretends to have been delivered.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

export interface Mailer {
  readonly configured: boolean;
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export function createMailer(smtpUrl: string | undefined, from: string, log: Logger): Mailer {
  if (!smtpUrl) {
    return {
      configured: false,
      async send(message) {
        log.info({ mail: { to: message.to, subject: message.subject, text: message.text } }, 'email not sent: SMTP_URL is not set');
      },
      close() {},
    };
  }
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
  return {
    configured: true,
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text, ...(message.html ? { html: message.html } : {}) });
    },
    close() {
      transport.close();
    },
  };
}
