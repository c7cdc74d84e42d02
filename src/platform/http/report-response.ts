// A report in the format asked: JSON as is, CSV and PDF as downloads, HTML as a page that runs no script.
import type { FastifyReply } from 'fastify';

export type ReportFormat = 'html' | 'pdf' | 'csv' | 'json';

export interface ReportRenderers {
  json: () => unknown;
  csv: () => string;
  pdf: () => Promise<Buffer>;
  html?: () => string;
}

export async function sendReport(reply: FastifyReply, format: ReportFormat, filename: string, as: ReportRenderers) {
  reply.header('cache-control', 'private, no-store');
  if (format === 'json') return as.json();
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}.csv"`).send(as.csv());
  if (format === 'pdf' || !as.html) return reply.type('application/pdf').header('content-disposition', `attachment; filename="${filename}.pdf"`).send(await as.pdf());
  return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:").send(as.html());
}
