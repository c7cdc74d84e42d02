// PDF documents the platform hands out (after-action and scan reports): US Letter, plain type, the TLP label on top.
import PDFDocument from 'pdfkit';

export function pdfBuffer(build: (doc: PDFKit.PDFDocument) => void, title = 'After-action report'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'LETTER', margin: 54, info: { Title: title, Creator: 'Election Ops Center' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    build(doc);
    doc.end();
  });
}

export function heading(doc: PDFKit.PDFDocument, text: string, size = 13) {
  doc.moveDown(0.6).font('Helvetica-Bold').fontSize(size).fillColor('#1b1b1b').text(text).moveDown(0.2).font('Helvetica').fontSize(10);
}

export function tlpBanner(doc: PDFKit.PDFDocument, tlp: string) {
  doc.font('Helvetica-Bold').fontSize(10).fillColor(tlp === 'RED' ? '#b50909' : tlp.startsWith('AMBER') ? '#936f38' : '#2e8540').text(`TLP:${tlp}`, { align: 'right' }).fillColor('#1b1b1b').font('Helvetica');
}
