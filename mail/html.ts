/**
 * The HTML alternative of a mail, derived from its plain text so the two never say different things: paragraphs
 * from blank lines, "- " lines as a list, links made clickable, the signature set apart. Pure and escaped.
 */
const SIGNATURE_MARK = '\n\n--\n';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Escapes, then turns each http(s) URL into a link (the URL is its own label: the producer sees where it goes). */
function inline(text: string): string {
  return escapeHtml(text).replace(/https?:\/\/[^\s<>"]+/g, (url) => `<a href="${url}">${url}</a>`);
}

function block(paragraph: string): string {
  const lines = paragraph.split('\n');
  if (lines.every((l) => l.startsWith('- '))) return `<ul>${lines.map((l) => `<li>${inline(l.slice(2))}</li>`).join('')}</ul>`;
  // A paragraph introducing a list ("... :\n- a\n- b") keeps its first line as text.
  const first = lines.findIndex((l) => l.startsWith('- '));
  if (first > 0 && lines.slice(first).every((l) => l.startsWith('- '))) {
    return block(lines.slice(0, first).join('\n')) + block(lines.slice(first).join('\n'));
  }
  return `<p>${lines.map(inline).join('<br>')}</p>`;
}

export function htmlOf(text: string, subject: string): string {
  const cut = text.lastIndexOf(SIGNATURE_MARK);
  const body = cut >= 0 ? text.slice(0, cut) : text;
  const signature = cut >= 0 ? text.slice(cut + SIGNATURE_MARK.length) : '';
  const paragraphs = body.split(/\n{2,}/).map((p) => p.trim()).filter((p) => p.length > 0);
  return [
    '<!DOCTYPE html>',
    `<html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #1e1e1e; max-width: 640px">',
    ...paragraphs.map(block),
    signature ? `<hr style="border: none; border-top: 1px solid #ccc"><p style="font-size: 13px; color: #555">${signature.split('\n').map(inline).join('<br>')}</p>` : '',
    '</body></html>',
  ].join('\n');
}
