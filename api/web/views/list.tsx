/** `/factures`: the guide's two lists, "À traiter" and "Traitées", newest first, one page at a time. */
import type { InvoiceView } from '../../../domain/statuses';
import type { InvoiceSummaryResponse } from '../../schemas';
import { euros, frenchDate, frenchDateTime } from './format';
import { page, type PageFrame } from './layout';

export interface ListPage {
  session: NonNullable<PageFrame['session']>;
  view: InvoiceView;
  items: InvoiceSummaryResponse[];
  buyers: Map<string, string>;
  chorusDates: Map<string, string>;
  page: number;
  pageSize: number;
  total: number;
  version: string;
}

const VIEW_TEXT: Record<InvoiceView, { title: string; intro: string; empty: string }> = {
  a_traiter: {
    title: 'Factures à traiter',
    intro: 'En attente de votre action d’envoi vers Chorus Pro ou par mail, après vérification du contenu de la facture.',
    empty: 'Aucune facture à traiter : vous êtes à jour.',
  },
  traitees: {
    title: 'Factures traitées',
    intro:
      'Toutes les factures envoyées à vos acheteurs. Celles envoyées via Chorus changent de statut au fil du temps, selon leur état courant sous Chorus.',
    empty: 'Aucune facture traitée pour le moment.',
  },
};

function Row({ invoice, buyer, chorusDate }: { invoice: InvoiceSummaryResponse; buyer: string; chorusDate: string | undefined }) {
  return (
    <tr>
      <th scope="row" data-label="Numéro">
        <a href={`/factures/${invoice.invoiceId}`}>{invoice.number ?? 'Sans numéro'}</a>
      </th>
      <td data-label="Acheteur">{buyer}</td>
      <td data-label="Livraison">{frenchDate(invoice.deliveryDate)}</td>
      <td data-label="Montant TTC" class="num">
        {euros(invoice.totals.ttc)}
      </td>
      <td data-label="Statut">
        <span class={`badge s-${invoice.status.toLowerCase()}`}>{invoice.statusLabel}</span>
      </td>
      <td data-label="Statut Chorus">
        {invoice.chorusStatusLabel ? (
          <>
            {invoice.chorusStatusLabel}
            <br />
            <small>{frenchDateTime(chorusDate)}</small>
          </>
        ) : (
          '—'
        )}
      </td>
    </tr>
  );
}

function Pager({ view, current, pages }: { view: InvoiceView; current: number; pages: number }) {
  if (pages <= 1) return null;
  const href = (n: number) => `/factures?vue=${view}&page=${n}`;
  return (
    <nav class="pager" aria-label="Pages">
      {current > 1 ? <a href={href(current - 1)}>← Page précédente</a> : <span />}
      <span>
        Page {current} sur {pages}
      </span>
      {current < pages ? <a href={href(current + 1)}>Page suivante →</a> : <span />}
    </nav>
  );
}

export function listPage(p: ListPage): string {
  const text = VIEW_TEXT[p.view];
  const pages = Math.max(1, Math.ceil(p.total / p.pageSize));
  return page({
    title: text.title,
    session: p.session,
    current: p.view,
    children: (
      <div data-poll={`/factures/version?vue=${p.view}`} data-version={p.version}>
        <h1>{text.title}</h1>
        <p class="intro">{text.intro}</p>
        <p class="live" role="status" aria-live="polite" />
        {p.items.length === 0 ? (
          <p class="empty">{text.empty}</p>
        ) : (
          <table class="invoices">
            <caption class="sr-only">
              {text.title}, de la plus récente à la plus ancienne ({p.total} au total)
            </caption>
            <thead>
              <tr>
                <th scope="col">Numéro</th>
                <th scope="col">Acheteur</th>
                <th scope="col">Livraison</th>
                <th scope="col" class="num">
                  Montant TTC
                </th>
                <th scope="col">Statut</th>
                <th scope="col">Statut Chorus</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((invoice) => (
                <Row invoice={invoice} buyer={p.buyers.get(invoice.buyerSiret) ?? invoice.buyerSiret} chorusDate={p.chorusDates.get(invoice.invoiceId)} />
              ))}
            </tbody>
          </table>
        )}
        <Pager view={p.view} current={p.page} pages={pages} />
      </div>
    ),
  });
}
