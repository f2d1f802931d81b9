/**
 * `/profil`: what the producer sets himself (guide §2): the Chorus flow, with its prerequisites and the Chorus Pro
 * guides, the payment method, the VAT number and the VAT exemption (its legal mention). His name, e-mail and address come from Agrilocal.
 */
import type { ProducerResponse } from '../../schemas';
import { FieldError, page, type PageFrame } from './layout';

export interface ProfilePage {
  session: NonNullable<PageFrame['session']>;
  producer: ProducerResponse;
  formKey: string;
  notice?: string | undefined;
  /** After a refused save: the values typed and the message of each field. */
  values?: Record<string, string> | undefined;
  fields?: Record<string, string> | undefined;
  message?: string | undefined;
}

const CHORUS_HOME = 'https://chorus-pro.gouv.fr/';
const CHORUS_ACCOUNT_GUIDE = 'https://communaute.chorus-pro.gouv.fr/documentation/creer-un-compte-utilisateur-et-sauthentifier/';

function Input(props: { p: ProfilePage; name: string; label: string; value: string; hint?: string; autocomplete?: string }) {
  const id = `profil-${props.name.replace('.', '-')}`;
  const error = props.p.fields?.[props.name];
  const described = [props.hint ? `${id}-aide` : '', error ? `${id}-erreur` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${id}-aide`}>
          {props.hint}
        </p>
      ) : null}
      <input id={id} name={props.name} type="text" value={props.p.values?.[props.name] ?? props.value} aria-invalid={error ? 'true' : undefined} aria-describedby={described} autocomplete={props.autocomplete} />
      <FieldError id={`${id}-erreur`} message={error} />
    </div>
  );
}

function ChorusFlow({ p }: { p: ProfilePage }) {
  const checked = p.values ? p.values.chorusEnabled === 'on' : p.producer.chorusEnabled;
  const error = p.fields?.chorusEnabled;
  return (
    <fieldset>
      <legend>Facturation via Chorus Pro</legend>
      <div class="check">
        <input id="profil-chorus" type="checkbox" name="chorusEnabled" checked={checked} aria-describedby={error ? 'profil-chorus-aide profil-chorus-erreur' : 'profil-chorus-aide'} />
        <label for="profil-chorus">Ouvrir le flux de la facturation vers Chorus Pro</label>
      </div>
      <div class="hint" id="profil-chorus-aide">
        <p>
          En cochant cette case, vous activez l’envoi de vos factures via Chorus Pro : à chaque commande d’un acheteur public, vous recevez une notification
          vous invitant à envoyer votre facture, en un clic depuis votre espace, et vous y suivez son état sous Chorus.
        </p>
        <p>Pré-requis :</p>
        <ul>
          <li>
            avoir créé un compte pour votre société sur le <a href={CHORUS_HOME}>portail Chorus Pro</a> avec votre SIRET ;
          </li>
          <li>avoir demandé, sur Chorus Pro, le rattachement de votre structure au compte technique d’Agrilocal (rubrique « Gestion des rattachements »).</li>
        </ul>
        <p>
          Guides Chorus Pro pour vous assister : <a href={CHORUS_ACCOUNT_GUIDE}>créer un compte utilisateur et s’authentifier</a>. Un document PDF peut
          aussi vous être fourni sur demande par votre animateur Agrilocal départemental.
        </p>
      </div>
      <FieldError id="profil-chorus-erreur" message={error} />
    </fieldset>
  );
}

function Payment({ p }: { p: ProfilePage }) {
  const method = p.producer.paymentMethod;
  const type = p.values?.paymentType ?? method.type;
  const iban = method.type === 'VIREMENT' ? method.iban : '';
  const bic = method.type === 'VIREMENT' ? (method.bic ?? '') : '';
  const radio = (value: string, label: string) => (
    <div class="check">
      <input id={`profil-paiement-${value.toLowerCase()}`} type="radio" name="paymentType" value={value} checked={type === value} />
      <label for={`profil-paiement-${value.toLowerCase()}`}>{label}</label>
    </div>
  );
  return (
    <fieldset>
      <legend>Votre moyen de paiement</legend>
      {radio('VIREMENT', 'Virement')}
      {radio('CHEQUE', 'Chèque')}
      <FieldError id="profil-paiement-erreur" message={p.fields?.paymentType} />
      <Input p={p} name="iban" label="IBAN (pour un virement)" value={iban} hint="Par exemple FR76 3000 6000 0112 3456 7890 189" />
      <Input p={p} name="bic" label="BIC (facultatif)" value={bic} hint="8 ou 11 caractères" />
    </fieldset>
  );
}

export function profilePage(p: ProfilePage): string {
  const { producer } = p;
  return page({
    title: 'Mon profil',
    session: p.session,
    current: 'profil',
    children: (
      <>
        <h1>Mon profil</h1>
        {p.notice ? (
          <p class="notice" role="status">
            {p.notice}
          </p>
        ) : null}
        {p.message ? (
          <p class="error" role="alert">
            {p.message}
          </p>
        ) : null}
        <section class="card" aria-labelledby="identite-titre">
          <h2 id="identite-titre">Votre exploitation</h2>
          <p>
            {producer.name} — SIRET {producer.siret}
            <br />
            {producer.address.line1}, {producer.address.postalCode} {producer.address.city}
            <br />
            {producer.email}
          </p>
          <p class="hint">Ces informations viennent de votre compte Agrilocal : modifiez-les sur Agrilocal.</p>
        </section>
        <form method="post" action="/profil" class="card">
          <input type="hidden" name="_csrf" value={p.session.csrfToken} />
          <input type="hidden" name="_key" value={p.formKey} />
          <ChorusFlow p={p} />
          <Payment p={p} />
          <fieldset>
            <legend>TVA</legend>
            <Input p={p} name="vatNumber" label="Numéro de TVA intracommunautaire (facultatif)" value={producer.vatNumber ?? ''} hint="Par exemple FR40303265045" />
            <Input
              p={p}
              name="vatExemptionMention"
              label="Mention d’exonération de TVA (si vous ne facturez pas la TVA)"
              value={producer.vatExemptionMention ?? ''}
              hint="La mention légale imprimée sur vos factures, par exemple « TVA non applicable, art. 293 B du CGI » (franchise en base). Vos lignes sont alors à 0 % de TVA."
            />
          </fieldset>
          <button type="submit">Enregistrer</button>
        </form>
      </>
    ),
  });
}
