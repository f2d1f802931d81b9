/** domain/refusals.ts holds the workflow's refusals only; api/errors.ts adds the API's own codes, once each. */
import { ERROR_STATUS } from '../../api/errors';
import { REFUSALS, isRefusalCode } from '../../domain/refusals';

describe('refusal codes', () => {
  it('When a code is one the workflow throws, then it is a refusal; an API-only code is not', () => {
    for (const code of ['VALIDATION_ERROR', 'INVALID_STATE', 'ENGAGEMENT_CODE_REQUIRED', 'CHORUS_NOT_ENABLED', 'INVOICE_DATA_INVALID']) {
      expect(isRefusalCode(code)).toBe(true);
    }
    for (const code of ['NOT_FOUND', 'CONFLICT', 'BUYER_NOT_PUBLIC', 'INTERNAL', 'toString', undefined, 42]) expect(isRefusalCode(code)).toBe(false);
  });

  it('When the API maps codes to statuses, then every workflow refusal keeps its status and the API codes are added', () => {
    for (const [code, status] of Object.entries(REFUSALS)) expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS]).toBe(status);
    expect(ERROR_STATUS).toMatchObject({ NOT_FOUND: 404, CONFLICT: 409, BUYER_NOT_PUBLIC: 422, VALIDATION_ERROR: 400, INVALID_STATE: 409 });
  });
});
