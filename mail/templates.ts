/** The mails, in French: one template per kind. Pure functions of the invoice's data. */
import { formatEuros } from '../domain/format';
import type { MailKind, MailReason } from './kinds';

export interface MailContext {
  invoiceId: string;
  orderId: string;
  number: string;
  producerName: string;
  buyerName: string;
  totalTtc: string;
  dueDate: string | null;
  chorusErrors: string[];
  identifiantFactureCPP: string | null;
  link: string;
  reason?: MailReason;
  /** A credit note: the number of the invoice it cancels. */
  cancelsNumber?: string | null;
}

export interface RenderedMail {
  to: 'BUYER' | 'PRODUCER';
  subject: string;
  text: string;
  attachInvoice: boolean;
}

const SIGNATURE = '\n\n--\nAgrilocal — facturation\nCe message est envoyé automatiquement, merci de ne pas y répondre.';

export function renderMail(kind: MailKind, c: MailContext): RenderedMail {
  const amount = formatEuros(c.totalTtc);
  const summary = `Facture n° ${c.number} — commande ${c.orderId}\nAcheteur : ${c.buyerName}\nMontant TTC : ${amount}`;
  switch (kind) {
    case 'CREDIT_NOTE_TO_BUYER':
      return {
        to: 'BUYER',
        subject: `Avoir ${c.number} — ${c.producerName}`,
        text:
          `Bonjour,\n\nVeuillez trouver ci-joint l'avoir n° ${c.number} de ${c.producerName}, qui annule en totalité la facture ` +
          `n° ${c.cancelsNumber ?? ''} (commande ${c.orderId}), d'un montant de ${amount} TTC : cette facture n'est plus à payer, ` +
          `et un montant déjà réglé vous sera remboursé.\n\nLe document joint est un avoir électronique Factur-X (PDF avec données structurées).${SIGNATURE}`,
        attachInvoice: true,
      };
    case 'INVOICE_TO_BUYER': {
      const why =
        c.reason === 'BUYER_UNKNOWN_ON_CHORUS' ? "\n\nVotre SIRET n'étant pas référencé sous Chorus Pro, la facture vous est transmise par mail."
        : c.reason === 'CHORUS_FAILURE' ? '\n\nLa transmission par Chorus Pro ayant échoué, la facture vous est transmise par mail.'
        : '';
      return {
        to: 'BUYER',
        subject: `Facture ${c.number} — ${c.producerName}`,
        text:
          `Bonjour,\n\nVeuillez trouver ci-joint la facture n° ${c.number} de ${c.producerName} pour la commande ${c.orderId}, ` +
          `d'un montant de ${amount} TTC${c.dueDate ? `, payable au plus tard le ${frenchDate(c.dueDate)}` : ''}.${why}` +
          `\n\nLe document joint est une facture électronique Factur-X (PDF avec données structurées).${SIGNATURE}`,
        attachInvoice: true,
      };
    }
    case 'PRODUCER_INVOICE_READY':
      return producer(
        `Facture ${c.number} à traiter`,
        `Une facture vous attend dans Agrilocal : vérifiez-la puis envoyez-la à Chorus Pro en un clic, ou par mail.\n\n${summary}\n\n${c.link}`,
      );
    case 'PRODUCER_REMINDER':
      return producer(`Rappel : facture ${c.number} à traiter`, `La facture suivante n'a pas encore été envoyée à votre acheteur.\n\n${summary}\n\n${c.link}`);
    case 'PRODUCER_FLOW_REJECTED':
      return producer(
        `Facture ${c.number} rejetée par Chorus Pro`,
        `Chorus Pro a rejeté le flux de votre facture :\n- ${c.chorusErrors.join('\n- ') || 'motif non communiqué'}\n\n` +
          `Vous pouvez la transmettre par mail à l'acheteur, ou la déposer vous-même sur le portail Chorus Pro puis la marquer traitée.\n\n${summary}\n\n${c.link}`,
      );
    case 'PRODUCER_SENT_BY_MAIL_FALLBACK':
      return producer(
        `Facture ${c.number} envoyée par mail`,
        `La transmission de votre facture à Chorus Pro a échoué ; elle a été envoyée automatiquement par mail à l'acheteur.\n\n${summary}\n\n${c.link}`,
      );
    case 'PRODUCER_RECYCLE_REQUIRED':
      return producer(
        `Facture ${c.number} à recycler`,
        `L'acheteur a indiqué une erreur de destinataire (SIRET, code service ou numéro d'engagement). ` +
          `Corrigez ces informations dans Agrilocal pour renvoyer la facture sans changer son numéro.\n\n${summary}\n\n${c.link}`,
      );
    case 'PRODUCER_COMPLETION_REQUIRED':
      return producer(
        `Facture ${c.number} suspendue`,
        `Le traitement de votre facture est suspendu : des pièces justificatives sont demandées. ` +
          `Ajoutez-les dans Agrilocal pour compléter la facture.\n\n${summary}\n\n${c.link}`,
      );
    case 'PRODUCER_PAYMENT_ISSUED':
      return producer(
        `Facture ${c.number} mise en paiement`,
        `Le comptable public a émis l'ordre de virement de votre facture ; le virement interviendra dans quelques jours.\n\n${summary}`,
      );
    case 'PRODUCER_INVOICE_REJECTED':
      return producer(
        `Facture ${c.number} rejetée par l'acheteur`,
        `L'acheteur a rejeté votre facture (par exemple pour des données de facturation erronées). Vous devez émettre une nouvelle facture.\n\n${summary}\n\n${c.link}`,
      );
  }
}

function producer(subject: string, body: string): RenderedMail {
  return { to: 'PRODUCER', subject, text: `Bonjour,\n\n${body}${SIGNATURE}`, attachInvoice: false };
}

function frenchDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d}/${m}/${y}`;
}

export interface PasswordReminderContext {
  /** The technical account's login. */
  login: string;
  /** When its password expires (ISO date-time). */
  expiresAt: string;
  /** Whole days left (0: it expires within the day). */
  daysLeft: number;
  /** The producer whose own account it is; undefined for the platform's account. */
  producerName?: string;
}

/** The technical account's password expires soon: renew it on the Chorus Pro portal, then give it to us. */
export function renderPasswordReminder(c: PasswordReminderContext): { subject: string; text: string } {
  const when = new Date(c.expiresAt).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'short' });
  const within = c.daysLeft <= 0 ? "moins d'un jour" : c.daysLeft === 1 ? '1 jour' : `${c.daysLeft} jours`;
  const whose = c.producerName ? `votre compte technique Chorus Pro (${c.login})` : `le compte technique Chorus Pro de la plateforme (${c.login})`;
  const after = c.producerName
    ? `Après cette date, vos factures ne pourront plus être envoyées à Chorus Pro depuis Agrilocal.\n\n` +
      `Renouvelez le mot de passe sur le portail Chorus Pro (Gestion des comptes techniques), puis communiquez-le à ` +
      `la plateforme Agrilocal, qui l'enregistrera (elle reçoit ce message en copie).`
    : `Après cette date, aucune facture ne pourra plus être envoyée à Chorus Pro : l'envoi sera refusé aux producteurs.\n\n` +
      `Renouvelez le mot de passe sur le portail Chorus Pro (Gestion des comptes techniques), puis mettez à jour ` +
      `CHORUS_TECH_PASSWORD dans la configuration du service et redémarrez-le.`;
  return {
    subject: `Chorus Pro : le mot de passe du compte technique expire dans ${within}`,
    text: `Bonjour,\n\nLe mot de passe de ${whose} expire le ${when}, dans ${within}.\n\n${after}${SIGNATURE}`,
  };
}
