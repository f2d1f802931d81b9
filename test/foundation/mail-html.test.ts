/** The HTML alternative of a mail says what its plain text says, escaped, with links and lists. */
import { htmlOf } from '../../mail/html';

const text =
  'Bonjour,\n\nChorus Pro a rejeté le flux :\n- Code service <SERV> obligatoire\n- Montant & TVA\n\n' +
  'Facture n° F-1\nMontant TTC : 10,00 €\n\nhttps://agrilocal.example/factures/inv-1?x=1&y=2\n\n--\nAgrilocal — facturation\nNe pas répondre.';

describe('mail HTML alternative', () => {
  it('When a text has paragraphs, a list, a link and a signature, then each becomes its HTML element, escaped', () => {
    const html = htmlOf(text, 'Facture <F-1>');
    expect(html).toContain('<title>Facture &lt;F-1&gt;</title>');
    expect(html).toContain('<p>Bonjour,</p>');
    expect(html).toContain('<p>Chorus Pro a rejeté le flux :</p><ul><li>Code service &lt;SERV&gt; obligatoire</li><li>Montant &amp; TVA</li></ul>');
    expect(html).toContain('<p>Facture n° F-1<br>Montant TTC : 10,00 €</p>');
    expect(html).toContain('<a href="https://agrilocal.example/factures/inv-1?x=1&amp;y=2">https://agrilocal.example/factures/inv-1?x=1&amp;y=2</a>');
    expect(html).toMatch(/<hr[^>]*><p[^>]*>Agrilocal — facturation<br>Ne pas répondre\.<\/p>/);
    expect(html).not.toContain('<SERV>');
  });
});
