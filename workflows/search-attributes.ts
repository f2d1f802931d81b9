/** Typed search attributes (docs/reference/api-contract.md §3): the keys, and the updates a status change makes. */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { ChorusStatus, InvoiceStatus } from '../domain/statuses';

export const InvoiceStatusKey = defineSearchAttributeKey('InvoiceStatus', SearchAttributeType.KEYWORD);
export const ChorusStatusKey = defineSearchAttributeKey('ChorusStatus', SearchAttributeType.KEYWORD);
export const ProducerSiretKey = defineSearchAttributeKey('ProducerSiret', SearchAttributeType.KEYWORD);
export const BuyerSiretKey = defineSearchAttributeKey('BuyerSiret', SearchAttributeType.KEYWORD);
export const InvoiceNumberKey = defineSearchAttributeKey('InvoiceNumber', SearchAttributeType.KEYWORD);
export const OrderIdKey = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
export const AmountTtcCentsKey = defineSearchAttributeKey('AmountTtcCents', SearchAttributeType.INT);

export function searchAttributeUpdates(values: {
  status?: InvoiceStatus;
  chorusStatus?: ChorusStatus | null;
  number?: string | null;
  buyerSiret?: string;
  amountTtcCents?: number;
}): SearchAttributeUpdatePair[] {
  const pairs: SearchAttributeUpdatePair[] = [];
  if (values.status !== undefined) pairs.push({ key: InvoiceStatusKey, value: values.status });
  if (values.chorusStatus !== undefined) pairs.push({ key: ChorusStatusKey, value: values.chorusStatus });
  if (values.number !== undefined) pairs.push({ key: InvoiceNumberKey, value: values.number });
  if (values.buyerSiret !== undefined) pairs.push({ key: BuyerSiretKey, value: values.buyerSiret });
  if (values.amountTtcCents !== undefined) pairs.push({ key: AmountTtcCentsKey, value: values.amountTtcCents });
  return pairs;
}
