/**
 * `/factures/{id}`: the invoice (lines, totals, PDF), its history, and exactly the actions its workflow allows
 * now (domain/actions.ts, as `actions[]` of the JSON routes). A refused action comes back here with the
 * refusal next to its form.
 */
import { CHORUS_STATUS_LABELS, INVOICE_STATUS_LABELS, type InvoiceAction, type InvoiceStatus } from '../../../domain/statuses';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from '../../schemas';
import type { InvoiceResponse } from '../../schemas';
import { euros, frenchDate, frenchDateTime, frenchNumber, percent, unitPrice } from './format';
import { FieldError, page, type PageFrame } from './layout';

/** The form a refusal belongs to, its message and the message of each field. */
export interface FormProblem {
  form: InvoiceAction;
  message: string;
  fields: Record<string, string>;
  values: Record<string, string>;
}

export interface InvoicePage {
  session: NonNullable<PageFrame['session']>;
  invoice: InvoiceResponse;
  buyerName: string;
  version: string;
  /** A one-time key per form shown: a double submission is one action (the Update's id). */
  formKey: string;
  notice?: string | undefined;
  problem?: FormProblem | undefined;
}

/** What the guide says of the statuses that ask something of the producer. */
const CHORUS_EXPLANATIONS: Record<string, string> = {
  A_RECYCLER:
    'La facture est rejetée en raison d’une erreur de destinataire. Vous pouvez changer le SIRET, le code service ou le numéro d’engagement juridique sans changer le numéro de la facture, et la renvoyer au nouveau destinataire.',
  SUSPENDUE:
    'Le traitement de la facture est suspendu : une ou plusieurs pièces justificatives sont manquantes. Complétez les pièces jointes pour renvoyer la facture ; elle passera au statut « Facture complétée ».',
  REJETEE:
    'La facture est rejetée par le destinataire (par exemple des données de facturation erronées). Vous devez émettre une nouvelle facture.',
  MISE_A_DISPOSITION: 'La facture a été déposée sur le portail de l’acheteur. Il en a été notifié par mail par Chorus.',
  MISE_EN_PAIEMENT:
    'L’ordre de virement a été envoyé à la Banque de France par le comptable public. Le virement interviendra quelques jours plus tard.',
};

const STATUS_EXPLANATIONS: Partial<Record<InvoiceStatus, string>> = {
  A_TRAITER: 'En attente de votre action d’envoi vers Chorus Pro ou par mail.',
  EN_ATTENTE_TRAITEMENT: 'Votre facture a été envoyée à Chorus Pro et le flux est en cours d’analyse.',
  REJETEE_CHORUS:
    'Votre facture a été rejetée par Chorus Pro (souci informatique). Vous pouvez la transmettre par mail à l’acheteur ou vous connecter sur votre compte Chorus pour la déposer.',
};

const Hidden = ({ csrf, formKey }: { csrf: string; formKey: string }) => (
  <>
    <input type="hidden" name="_csrf" value={csrf} />
    <input type="hidden" name="_key" value={formKey} />
  </>
);

function Field(props: { name: string; label: string; hint?: string; problem?: FormProblem | undefined; form: InvoiceAction; required?: boolean; maxLength?: number }) {
  const id = `${props.form.toLowerCase()}-${props.name}`;
  const error = props.problem?.form === props.form ? props.problem.fields[props.name] : undefined;
  const describedBy = [props.hint ? `${id}-aide` : '', error ? `${id}-erreur` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>
        {props.label}
        {props.required ? ' (obligatoire)' : ''}
      </label>
      {props.hint ? (
        <p class="hint" id={`${id}-aide`}>
          {props.hint}
        </p>
      ) : null}
      <input
        id={id}
        name={props.name}
        type="text"
        required={props.required}
        maxLength={props.maxLength}
        value={props.problem?.form === props.form ? props.problem.values[props.name] : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
      />
      <FieldError id={`${id}-erreur`} message={error} />
    </div>
  );
}

/** The refusal of an action that has no field of its own, shown under its button. */
const ActionError = ({ form, problem }: { form: InvoiceAction; problem?: FormProblem | undefined }) =>
  problem?.form === form && Object.keys(problem.fields).length === 0 ? <FieldError id={`${form.toLowerCase()}-erreur`} message={problem.message} /> : null;

const ENGAGEMENT_HINT =
  'Votre acheteur demande obligatoirement un code d’engagement financier sous Chorus : il l’indique dans les commentaires au moment de l’attribution du marché.';

function SendChorus({ p }: { p: InvoicePage }) {
  const { invoice, problem } = p;
  const asked = (invoice.engagementCodeRequired && !invoice.engagementCode) || (problem?.form === 'SEND_CHORUS' && 'engagementCode' in problem.fields);
  return (
    <form method="post" action={`/factures/${invoice.invoiceId}/envoyer`} class="action primary">
      <Hidden csrf={p.session.csrfToken} formKey={p.formKey} />
      <input type="hidden" name="canal" value="CHORUS" />
      {asked ? <Field form="SEND_CHORUS" name="engagementCode" label="Code d’engagement" hint={ENGAGEMENT_HINT} problem={problem} required maxLength={50} /> : null}
      <button type="submit">Envoyer par Chorus</button>
      <p class="hint">Transmet la facture à Chorus Pro en un clic, sans vous connecter au portail.</p>
      <ActionError form="SEND_CHORUS" problem={problem} />
    </form>
  );
}

function SimpleAction({ p, action, path, label, hint }: { p: InvoicePage; action: InvoiceAction; path: string; label: string; hint: string }) {
  return (
    <form method="post" action={`/factures/${p.invoice.invoiceId}/${path}`} class="action">
      <Hidden csrf={p.session.csrfToken} formKey={p.formKey} />
      {action === 'SEND_EMAIL' ? <input type="hidden" name="canal" value="EMAIL" /> : null}
      <button type="submit" class={action === 'ARCHIVE' ? 'secondary' : undefined}>
        {label}
      </button>
      <p class="hint">{hint}</p>
      <ActionError form={action} problem={p.problem} />
    </form>
  );
}

function Recycle({ p }: { p: InvoicePage }) {
  const { problem } = p;
  return (
    <form method="post" action={`/factures/${p.invoice.invoiceId}/recycler`} class="action wide">
      <h3>Renvoyer la facture au bon destinataire</h3>
      <p class="hint">Renseignez au moins un des champs : la facture garde son numéro.</p>
      <Hidden csrf={p.session.csrfToken} formKey={p.formKey} />
      <Field form="RECYCLE" name="buyerSiret" label="Nouveau SIRET de l’acheteur" hint="14 chiffres" problem={problem} maxLength={14} />
      <Field form="RECYCLE" name="serviceCode" label="Code service" problem={problem} maxLength={100} />
      <Field form="RECYCLE" name="engagementCode" label="Code d’engagement" problem={problem} maxLength={50} />
      <button type="submit">Renvoyer la facture</button>
      <ActionError form="RECYCLE" problem={problem} />
    </form>
  );
}

const MAX_MB = MAX_ATTACHMENT_BYTES / 1024 / 1024;

function Complete({ p }: { p: InvoicePage }) {
  const { problem } = p;
  const own = problem?.form === 'COMPLETE' ? problem : undefined;
  return (
    <form method="post" action={`/factures/${p.invoice.invoiceId}/completer`} enctype="multipart/form-data" class="action wide">
      <h3>Compléter la facture</h3>
      <Hidden csrf={p.session.csrfToken} formKey={p.formKey} />
      <div class="field">
        <label for="complete-attachments">Pièces justificatives</label>
        <p class="hint" id="complete-attachments-aide">
          PDF ou images (JPEG, PNG, GIF, TIFF) : {MAX_ATTACHMENTS} fichiers au plus, {MAX_MB} Mo chacun, nom de 50 caractères au plus.
        </p>
        <input
          id="complete-attachments"
          name="attachments"
          type="file"
          multiple
          accept=".pdf,.jpg,.jpeg,.png,.gif,.tif,.tiff,application/pdf,image/*"
          aria-describedby={own?.fields.attachments ? 'complete-attachments-aide complete-attachments-erreur' : 'complete-attachments-aide'}
          aria-invalid={own?.fields.attachments ? 'true' : undefined}
        />
        <FieldError id="complete-attachments-erreur" message={own?.fields.attachments} />
      </div>
      <div class="field">
        <label for="complete-comment">Commentaire</label>
        <textarea id="complete-comment" name="comment" rows={3} maxLength={2000} aria-invalid={own?.fields.comment ? 'true' : undefined}>
          {own?.values.comment ?? ''}
        </textarea>
        <FieldError id="complete-comment-erreur" message={own?.fields.comment} />
      </div>
      <button type="submit">Compléter la facture</button>
      <ActionError form="COMPLETE" problem={problem} />
    </form>
  );
}

function Actions({ p }: { p: InvoicePage }) {
  const { actions, chorusStatus } = p.invoice;
  const has = (a: InvoiceAction) => actions.includes(a);
  const explanation = (chorusStatus ? CHORUS_EXPLANATIONS[chorusStatus] : undefined) ?? STATUS_EXPLANATIONS[p.invoice.status];
  return (
    <section aria-labelledby="actions-titre" class="card">
      <h2 id="actions-titre">Que faire ?</h2>
      {explanation ? <p class="explain">{explanation}</p> : null}
      {p.invoice.chorus.errors.length > 0 ? (
        <ul class="chorus-errors">
          {p.invoice.chorus.errors.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      ) : null}
      <div class="actions">
        {has('SEND_CHORUS') ? <SendChorus p={p} /> : null}
        {has('SEND_EMAIL') ? <SimpleAction p={p} action="SEND_EMAIL" path="envoyer" label="Envoyer par mail" hint="La facture part en pièce jointe à l’acheteur." /> : null}
        {has('MARK_PROCESSED') ? (
          <SimpleAction p={p} action="MARK_PROCESSED" path="traitee" label="Marquer comme traitée" hint="Si vous avez déposé votre facture via le portail Chorus Pro." />
        ) : null}
        {has('RECYCLE') ? <Recycle p={p} /> : null}
        {has('COMPLETE') ? <Complete p={p} /> : null}
        {has('ARCHIVE') ? <SimpleAction p={p} action="ARCHIVE" path="archiver" label="Archiver" hint="Range la facture : plus aucune action ne sera possible." /> : null}
      </div>
      {actions.length === 0 ? <p class="none">Aucune action n’est attendue de votre part pour le moment.</p> : null}
    </section>
  );
}

function Lines({ invoice }: { invoice: InvoiceResponse }) {
  return (
    <table class="lines">
      <caption>Lignes de la facture</caption>
      <thead>
        <tr>
          <th scope="col">Désignation</th>
          <th scope="col" class="num">Quantité livrée</th>
          <th scope="col" class="num">Prix unitaire HT</th>
          <th scope="col" class="num">TVA</th>
          <th scope="col" class="num">Total HT</th>
        </tr>
      </thead>
      <tbody>
        {invoice.lines.map((l) => (
          <tr>
            <th scope="row" data-label="Désignation">{l.label}</th>
            <td data-label="Quantité livrée" class="num">{`${frenchNumber(l.deliveredQuantity ?? l.orderedQuantity)} ${l.unit}`}</td>
            <td data-label="Prix unitaire HT" class="num">{unitPrice(l.unitPriceHT)}</td>
            <td data-label="TVA" class="num">{percent(l.vatRate)}</td>
            <td data-label="Total HT" class="num">{euros(l.totalHT)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={4}>Total HT</th>
          <td class="num" data-label="Total HT">{euros(invoice.totals.ht)}</td>
        </tr>
        <tr>
          <th scope="row" colSpan={4}>TVA</th>
          <td class="num" data-label="TVA">{euros(invoice.totals.tva)}</td>
        </tr>
        <tr class="ttc">
          <th scope="row" colSpan={4}>Total TTC</th>
          <td class="num" data-label="Total TTC">{euros(invoice.totals.ttc)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

function History({ invoice }: { invoice: InvoiceResponse }) {
  return (
    <section aria-labelledby="historique-titre" class="card">
      <h2 id="historique-titre">Historique</h2>
      <ol class="timeline">
        {[...invoice.history].reverse().map((h) => (
          <li>
            <time dateTime={h.at}>{frenchDateTime(h.at)}</time>
            <strong>{INVOICE_STATUS_LABELS[h.status as InvoiceStatus] ?? h.status}</strong>
            {h.chorusStatus ? <span class="chorus"> · Chorus : {(CHORUS_STATUS_LABELS as Record<string, string>)[h.chorusStatus] ?? h.chorusStatus}</span> : null}
            {h.detail ? <p>{h.detail}</p> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Facts({ p }: { p: InvoicePage }) {
  const { invoice } = p;
  const fact = (label: string, value: string | null) => (value ? <><dt>{label}</dt><dd>{value}</dd></> : null);
  return (
    <dl class="facts">
      {fact('Acheteur', `${p.buyerName} (SIRET ${invoice.buyerSiret})`)}
      {fact('Date de livraison', frenchDate(invoice.deliveryDate))}
      {fact('Date d’émission', invoice.issueDate ? frenchDate(invoice.issueDate) : null)}
      {fact('Échéance', invoice.dueDate ? frenchDate(invoice.dueDate) : null)}
      {fact('Code service', invoice.serviceCode)}
      {fact('Code d’engagement', invoice.engagementCode)}
      {fact('Numéro de marché', invoice.marketNumber)}
      {fact('Numéro de flux Chorus', invoice.chorus.numeroFluxDepot)}
    </dl>
  );
}

export function invoicePage(p: InvoicePage): string {
  const { invoice } = p;
  const title = `Facture ${invoice.number ?? ''}`.trim();
  const pdf = `/factures/${invoice.invoiceId}/pdf`;
  return page({
    title,
    session: p.session,
    children: (
      <div data-poll={`/factures/${invoice.invoiceId}/version`} data-version={p.version}>
        <p class="back">
          <a href="/factures">← Mes factures</a>
        </p>
        <h1>{title}</h1>
        {p.notice ? (
          <p class="notice" role="status">
            {p.notice}
          </p>
        ) : null}
        <p class="live" role="status" aria-live="polite" />
        <div class="status card">
          <p>
            Statut : <span class={`badge s-${invoice.status.toLowerCase()}`}>{invoice.statusLabel}</span>
          </p>
          {invoice.chorusStatusLabel ? (
            <p>
              Statut Chorus : <strong>{invoice.chorusStatusLabel}</strong>
            </p>
          ) : null}
        </div>
        <Actions p={p} />
        <section aria-labelledby="facture-titre" class="card">
          <h2 id="facture-titre">Vérifier la facture</h2>
          <Facts p={p} />
          <Lines invoice={invoice} />
          {invoice.number ? (
            <>
              <p>
                <a href={`${pdf}?telechargement=1`} download>
                  Télécharger le PDF
                </a>{' '}
                · <a href={pdf}>Ouvrir le PDF</a>
              </p>
              <iframe class="pdf" src={pdf} title={`PDF de la facture ${invoice.number}`} loading="lazy" />
            </>
          ) : null}
        </section>
        <History invoice={invoice} />
      </div>
    ),
  });
}
