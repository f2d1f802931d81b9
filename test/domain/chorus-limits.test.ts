import { CHORUS_LIMITS, chorusAttachmentName } from '../../domain/chorus-limits';

describe('Chorus limits', () => {
  it('When an attachment name fits in 50 characters, then it is kept as it is', () => {
    expect(chorusAttachmentName('bon-de-livraison.pdf')).toBe('bon-de-livraison.pdf');
  });

  it('When an attachment name is longer than 50 characters, then its base is cut and its extension kept', () => {
    const long = `${'bon de livraison signé par l’intendance du collège Jean Moulin'}.pdf`;
    const name = chorusAttachmentName(long);
    expect(Array.from(name)).toHaveLength(CHORUS_LIMITS.attachmentNameChars);
    expect(name.endsWith('.pdf')).toBe(true);
    expect(name.startsWith('bon de livraison signé')).toBe(true);
  });

  it('When the name has no extension, then it is cut to 50 characters', () => {
    expect(chorusAttachmentName('x'.repeat(80))).toBe('x'.repeat(50));
  });

  it('When characters outside the basic plane are in the name, then none is split in half', () => {
    const name = chorusAttachmentName(`${'🥕'.repeat(60)}.png`);
    expect(Array.from(name)).toHaveLength(50);
    expect(name).toBe(`${'🥕'.repeat(46)}.png`);
  });
});
