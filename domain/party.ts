/**
 * Party vocabulary shared by the data layer (`db/entities.ts`, stored as JSON columns) and the document renderers
 * (`documents/`): a postal address and how a producer is paid. Plain data, no Node builtins.
 */
export interface Address {
  line1: string;
  line2?: string;
  postalCode: string;
  city: string;
  country?: string;
}

export type PaymentMethod = { type: 'VIREMENT'; iban: string; bic?: string } | { type: 'CHEQUE' };
