/**
 * The workflow's refusals: the failure `type` an invoice workflow Update fails with, and the HTTP answer the API
 * gives for it (docs/reference/api-contract.md §2). Only codes the workflow throws; the codes only the API answers
 * with (NOT_FOUND, CONFLICT, BUYER_NOT_PUBLIC...) are declared in api/errors.ts.
 */
export const REFUSALS = {
  VALIDATION_ERROR: 400,
  INVALID_STATE: 409,
  ENGAGEMENT_CODE_REQUIRED: 422,
  CHORUS_NOT_ENABLED: 422,
  CHORUS_ACCOUNT_NOT_ATTACHED: 422,
  CHORUS_PASSWORD_EXPIRED: 422,
  INVOICE_DATA_INVALID: 422,
} as const;
export type RefusalCode = keyof typeof REFUSALS;

export function isRefusalCode(code: unknown): code is RefusalCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(REFUSALS, code);
}

/** Extra data carried by a refusal (first element of ApplicationFailure details). */
export interface RefusalDetails {
  status?: string;
  chorusStatus?: string | null;
  allowedActions?: string[];
  details?: { path: string; message: string }[];
}
