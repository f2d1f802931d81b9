/**
 * Mail vocabulary: the kinds of mail the invoice sends (one template each, `mail/templates.ts`) and why the buyer
 * gets the invoice by mail. Shared with the activities' inputs (`activities/types.ts`) and, as types, the workflow.
 * Plain data, no Node builtins.
 */
export const MAIL_KINDS = [
  'INVOICE_TO_BUYER',
  'CREDIT_NOTE_TO_BUYER',
  'PRODUCER_INVOICE_READY',
  'PRODUCER_REMINDER',
  'PRODUCER_FLOW_REJECTED',
  'PRODUCER_SENT_BY_MAIL_FALLBACK',
  'PRODUCER_RECYCLE_REQUIRED',
  'PRODUCER_COMPLETION_REQUIRED',
  'PRODUCER_PAYMENT_ISSUED',
  'PRODUCER_INVOICE_REJECTED',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** Why the buyer gets the invoice by mail (shown in the producer's copy and the history). */
export type MailReason = 'PRIVATE_BUYER' | 'PRODUCER_CHOICE' | 'BUYER_UNKNOWN_ON_CHORUS' | 'CHORUS_FAILURE';
