/** Field rules of the API (pure): identifiers, decimals, dates, text, attachments, unknown fields. */
import fc from 'fast-check';
import { isCalendarDate, isFrenchVatNumber, isIban, isSiret, isStorableText } from '../../api/checks';
import * as s from '../../api/schemas';
import { zodDetails } from '../../api/errors';
import { IBAN, buyerProfile, luhnComplete, newSiret, orderBody, producerProfile } from './fixtures';

const detailsOf = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return zodDetails(result.error as Parameters<typeof zodDetails>[0]);
};

describe('SIRET', () => {
  it('When a 13-digit body gets its Luhn key, then it is a SIRET, and any other last digit is not', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{12}$/), (body) => {
        fc.pre(!body.startsWith('356000000'));
        const siret = luhnComplete(body);
        expect(isSiret(siret)).toBe(true);
        const wrong = `${body}${(Number(siret[13]) + 1) % 10}`;
        expect(isSiret(wrong)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('When the SIRET is one of La Poste (SIREN 356000000), then the digit-sum rule applies instead of Luhn', () => {
    expect(isSiret('35600000049837')).toBe(true); // sum of digits multiple of 5, Luhn invalid
    expect(isSiret('35600000049838')).toBe(false);
  });

  it('When the value is not 14 plain digits, then it is refused', () => {
    for (const v of ['7328293200007', '732829320000745', '7328 2932 000 074', '7328293200007A', '']) expect(isSiret(v)).toBe(false);
  });
});

describe('IBAN', () => {
  it('When an IBAN has valid check digits and length, then it is accepted with or without spaces', () => {
    expect(isIban(IBAN)).toBe(true);
    expect(isIban('FR76 3000 6000 0112 3456 7890 189')).toBe(true);
    expect(isIban('DE89370400440532013000')).toBe(true);
  });

  it('When one digit of a valid IBAN changes, then the mod-97 check refuses it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: IBAN.length - 1 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const digit = Number(IBAN[pos]);
        const changed = IBAN.slice(0, pos) + String((digit + delta) % 10) + IBAN.slice(pos + 1);
        expect(isIban(changed)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('When the country length is wrong or the country unknown, then it is refused', () => {
    expect(isIban('FR763000600001123456789018')).toBe(false);
    expect(isIban('XX7630006000011234567890189')).toBe(false);
  });
});

describe('French VAT number', () => {
  it('When the key is (12 + 3 × (SIREN mod 97)) mod 97, then it is accepted, and any other key is not', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), fc.integer({ min: 1, max: 96 }), (siren, shift) => {
        const key = (12 + 3 * (Number(siren) % 97)) % 97;
        expect(isFrenchVatNumber(`FR${String(key).padStart(2, '0')}${siren}`)).toBe(true);
        expect(isFrenchVatNumber(`FR${String((key + shift) % 97).padStart(2, '0')}${siren}`)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Dates and text', () => {
  it('When a date is not a real calendar day written YYYY-MM-DD, then it is refused', () => {
    expect(isCalendarDate('2026-03-02')).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    for (const v of ['2026-02-29', '2026-13-01', '2026-3-2', '02/03/2026', '2026-03-02T00:00:00Z', '1999-12-31']) expect(isCalendarDate(v)).toBe(false);
  });

  it('When text holds NUL, control characters or lone surrogates, then it cannot be stored and is refused', () => {
    expect(isStorableText('Pommes de terre — Charlotte 🥔')).toBe(true);
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('a\u0007b')).toBe(false);
    expect(isStorableText('a\ud800b')).toBe(false);
    expect(isStorableText('line\nbreak')).toBe(false);
    expect(isStorableText('line\nbreak', true)).toBe(true);
  });
});

describe('Decimals', () => {
  it('When a quantity has more than 3 decimals, is negative or a JSON number, then the field is named', () => {
    expect(s.quantity.safeParse('12.125').success).toBe(true);
    expect(s.quantity.safeParse('0').success).toBe(true);
    for (const bad of ['12.1255', '-1', '1e3', '12,5', ' 12', '', 12.5, '.5', '5.']) expect(s.quantity.safeParse(bad).success).toBe(false);
  });

  it('When a price has up to 4 decimals, then it passes, and 5 do not', () => {
    expect(s.price.safeParse('3.2500').success).toBe(true);
    expect(s.price.safeParse('3.25001').success).toBe(false);
  });

  it('When a VAT rate is above 100 or has 3 decimals, then it is refused', () => {
    for (const ok of ['0', '2.1', '5.5', '10', '20', '100', '100.00']) expect(s.vatRate.safeParse(ok).success).toBe(true);
    for (const bad of ['100.01', '101', '5.555', '-5.5']) expect(s.vatRate.safeParse(bad).success).toBe(false);
  });

  it('When any decimal string of the allowed shape is given, then it round-trips unchanged', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,6}(\.\d{1,3})?$/), (q) => {
        expect(s.quantity.parse(q)).toBe(q);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Profiles and orders', () => {
  it('When a producer profile is complete, then it parses and the IBAN is stored compact', () => {
    const parsed = s.producerBody.parse(producerProfile({ paymentMethod: { type: 'VIREMENT', iban: 'fr76 3000 6000 0112 3456 7890 189' } }));
    expect(parsed.paymentMethod).toEqual({ type: 'VIREMENT', iban: IBAN });
  });

  it('When a profile carries an unknown field, then that field is named as unknown', () => {
    expect(detailsOf(s.producerBody, producerProfile({ siret: '123' }))).toEqual([{ path: 'siret', message: 'unknown field: remove it' }]);
    expect(detailsOf(s.buyerBody, buyerProfile({ address: { line1: 'x', postalCode: '24000', city: 'y', zip: '1' } }))).toEqual([
      { path: 'address.zip', message: 'unknown field: remove it' },
    ]);
  });

  it('When a field is missing or of the wrong JSON type, then the reason says "required" or what is expected', () => {
    const body = orderBody('CMD-1', newSiret(), newSiret()) as Record<string, unknown>;
    delete body.deliveryDate;
    (body.lines as Record<string, unknown>[])[0]!.orderedQuantity = 12.5;
    expect(detailsOf(s.orderBody, body)).toEqual([
      { path: 'deliveryDate', message: 'required' },
      { path: 'lines.0.orderedQuantity', message: 'must be a decimal number written as a string (e.g. "12.5"), not a JSON number' },
    ]);
  });

  it('When a French VAT number has a wrong key, then vatNumber is refused; spaces and case are normalised', () => {
    expect(detailsOf(s.producerBody, producerProfile({ vatNumber: 'FR39901234567' })).map((d) => d.path)).toEqual(['vatNumber']);
    expect(s.producerBody.parse(producerProfile({ vatNumber: 'fr 15 901234567' })).vatNumber).toBe('FR15901234567');
  });

  it('When a cheque producer also sends an IBAN, then the IBAN is refused as unknown for that payment type', () => {
    const details = detailsOf(s.producerBody, producerProfile({ paymentMethod: { type: 'CHEQUE', iban: IBAN } }));
    expect(details).toEqual([{ path: 'paymentMethod.iban', message: 'unknown field: remove it' }]);
  });

  it('When a French postal code is not 5 digits, then address.postalCode is named', () => {
    const details = detailsOf(s.buyerBody, buyerProfile({ address: { line1: 'x', postalCode: '2400', city: 'y' } }));
    expect(details.map((d) => d.path)).toEqual(['address.postalCode']);
  });

  it('When two order lines share a lineId, then the second one is named', () => {
    const body = orderBody('CMD-1', newSiret(), newSiret());
    body.lines[1]!.lineId = 'L1';
    expect(detailsOf(s.orderBody, body)).toEqual([{ path: 'lines.1.lineId', message: 'lineId "L1" appears twice' }]);
  });

  it('When an order is huge, then its total is refused before it can overflow the invoice totals', () => {
    const body = orderBody('CMD-1', newSiret(), newSiret(), {
      lines: Array.from({ length: 200 }, (_, i) => ({ lineId: `L${i}`, label: 'x', unit: 'kg', unitPriceHT: '999999.9999', vatRate: '20', orderedQuantity: '999999.999' })),
    });
    expect(detailsOf(s.orderBody, body).map((d) => d.path)).toEqual(['lines']);
  });

  it('When engagementCodeRequired is omitted, then it defaults to false (same order as an explicit false)', () => {
    expect(s.orderBody.parse(orderBody('CMD-1', newSiret(), newSiret())).engagementCodeRequired).toBe(false);
  });
});

describe('Invoice actions', () => {
  const pdf = Buffer.from('%PDF-1.7 test').toString('base64');

  it('When an attachment name is longer than 50 characters, then filename is named with the Chorus limit', () => {
    const details = detailsOf(s.completeBody, { attachments: [{ filename: `${'a'.repeat(47)}.pdf`, contentType: 'application/pdf', contentBase64: pdf }] });
    expect(details).toEqual([{ path: 'attachments.0.filename', message: 'must be at most 50 characters, extension included (Chorus Pro limit)' }]);
  });

  it('When the extension does not match the content type, or the type is not allowed, then the field is named', () => {
    expect(detailsOf(s.completeBody, { attachments: [{ filename: 'bl.png', contentType: 'application/pdf', contentBase64: pdf }] })).toEqual([
      { path: 'attachments.0.filename', message: 'extension must be .pdf for application/pdf' },
    ]);
    expect(detailsOf(s.completeBody, { attachments: [{ filename: 'x.exe', contentType: 'application/x-msdownload', contentBase64: pdf }] }).map((d) => d.path)).toEqual([
      'attachments.0.contentType',
    ]);
  });

  it('When the content is not base64 or decodes above 10 MB, then contentBase64 is named', () => {
    expect(detailsOf(s.completeBody, { attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', contentBase64: 'not base64!' }] }).map((d) => d.path)).toEqual([
      'attachments.0.contentBase64',
    ]);
    const big = 'A'.repeat(Math.ceil((10 * 1024 * 1024 + 3) / 3) * 4);
    expect(detailsOf(s.completeBody, { attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', contentBase64: big }] })).toEqual([
      { path: 'attachments.0.contentBase64', message: 'must decode to at most 10 MB' },
    ]);
  });

  it('When a recycle names nothing to change, then it is refused with the reason', () => {
    expect(detailsOf(s.recycleBody, {})[0]?.message).toMatch(/at least one of buyerSiret, serviceCode, engagementCode/);
  });

  it('When the list query has bad bounds or unknown parameters, then each is named', () => {
    expect(detailsOf(s.listQuery, { page: '0', pageSize: '101', view: 'toutes', foo: '1' }).map((d) => d.path).sort()).toEqual(['foo', 'page', 'pageSize', 'view']);
    expect(s.listQuery.parse({})).toEqual({ page: 1, pageSize: 20 });
  });
});

describe('Chorus limits at the earliest point', () => {
  it('When a public buyer is named with more than 99 characters, then the profile is refused on its name; a private one is not', () => {
    const name = `Collège ${'x'.repeat(92)}`;
    expect(Array.from(name)).toHaveLength(100);
    expect(detailsOf(s.buyerBody, { ...buyerProfile(), kind: 'PUBLIC', name })).toEqual([
      { path: 'name', message: 'must be at most 99 characters for a public buyer (Chorus Pro limit)' },
    ]);
    expect(detailsOf(s.buyerBody, { ...buyerProfile(), kind: 'PUBLIC', name: name.slice(0, 99) })).toEqual([]);
    expect(detailsOf(s.buyerBody, { ...buyerProfile(), kind: 'PRIVATE', name })).toEqual([]);
  });
});
