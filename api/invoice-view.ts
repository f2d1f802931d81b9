/**
 * How an invoice row (and its history) is shown to a caller: the contract's invoice shape (db/invoice-view.ts,
 * shared with the webhook events), with `actions[]` from the one rule in domain/actions.ts. The admin key is read-only, so it is offered no action.
 */
import { availableActions } from '../domain/actions';
import type { InvoiceAction } from '../domain/statuses';
import { invoiceView, isoDateTime, type LinkedNumbers } from '../db/invoice-view';
import type { IInvoice, IInvoiceHistory, IBuyer, IProducer, IProducerChorusAccount } from '../db/entities';
import type { Caller } from './auth';
import type { StateInfo } from './errors';
import type { BuyerResponse, InvoiceResponse, InvoiceSummaryResponse, ProducerResponse } from './schemas';

export function actionsFor(invoice: Pick<IInvoice, 'status' | 'chorusStatus' | 'buyerKind' | 'documentType'>, caller: Caller): InvoiceAction[] {
  if (caller.kind === 'admin') return [];
  return availableActions({ status: invoice.status, chorusStatus: invoice.chorusStatus ?? null, buyerKind: invoice.buyerKind, documentType: invoice.documentType });
}

/** The invoice's state as PostgreSQL knows it, for INVALID_STATE answers. */
export function stateOf(invoice: IInvoice, caller: Caller): StateInfo {
  return { status: invoice.status, chorusStatus: invoice.chorusStatus ?? null, allowedActions: actionsFor(invoice, caller) };
}

const iso = isoDateTime;

export function toInvoiceSummary(invoice: IInvoice, caller: Caller, numbers: LinkedNumbers = new Map()): InvoiceSummaryResponse {
  return invoiceView(invoice, actionsFor(invoice, caller), numbers);
}

export function toInvoice(invoice: IInvoice, history: IInvoiceHistory[], caller: Caller, numbers: LinkedNumbers = new Map()): InvoiceResponse {
  return {
    ...toInvoiceSummary(invoice, caller, numbers),
    history: history.map((h) => ({ at: iso(h.at), status: h.status, chorusStatus: h.chorusStatus ?? null, detail: h.detail ?? null })),
  };
}

/** The profile; `account`: his own Chorus technical account, of which only the login and expiry are shown. */
export function toProducer(p: IProducer, account: IProducerChorusAccount | null): ProducerResponse {
  return {
    siret: p.siret,
    name: p.name,
    email: p.email,
    address: p.address,
    vatNumber: p.vatNumber ?? null,
    vatExemptionMention: p.vatExemptionMention ?? null,
    chorusEnabled: p.chorusEnabled,
    paymentMethod: p.paymentMethod,
    chorusAccount: account && {
      login: account.login,
      ownAccount: true,
      passwordExpiresAt: account.passwordExpiresAt ? iso(account.passwordExpiresAt) : null,
    },
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

export function toBuyer(b: IBuyer): BuyerResponse {
  return {
    siret: b.siret,
    name: b.name,
    email: b.email,
    kind: b.kind,
    address: b.address,
    vatNumber: b.vatNumber ?? null,
    serviceCode: b.serviceCode ?? null,
    createdAt: iso(b.createdAt),
    updatedAt: iso(b.updatedAt),
  };
}
