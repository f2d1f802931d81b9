/** The space's pages that are only a message: sign-in needed, a refused link, signed out, not found, failure. */
import { page, type PageFrame } from './layout';

export function messagePage(title: string, paragraphs: string[], session?: PageFrame['session']): string {
  return page({
    title,
    ...(session ? { session } : {}),
    children: (
      <section class="card message">
        <h1>{title}</h1>
        {paragraphs.map((text) => (
          <p>{text}</p>
        ))}
        {session ? (
          <p>
            <a href="/factures">Retour à mes factures</a>
          </p>
        ) : null}
      </section>
    ),
  });
}

const FROM_AGRILOCAL = 'Pour ouvrir votre espace facturation, passez par votre compte Agrilocal : le bouton « Mes factures » vous y connecte par un lien valable 15 minutes.';

export const signInNeededPage = () =>
  messagePage('Connexion nécessaire', ['Vous n’êtes pas connecté à votre espace facturation, ou votre session a expiré.', FROM_AGRILOCAL, 'Une fois connecté, vous arriverez directement sur la page demandée.']);

const REFUSED_LINK: Record<'unknown' | 'used' | 'expired', string> = {
  unknown: 'Ce lien de connexion n’est pas valide.',
  used: 'Ce lien de connexion a déjà servi : chaque lien ne s’utilise qu’une fois.',
  expired: 'Ce lien de connexion a expiré : il n’est valable que 15 minutes.',
};

export const linkRefusedPage = (reason: keyof typeof REFUSED_LINK) => messagePage('Lien de connexion refusé', [REFUSED_LINK[reason], `Demandez-en un nouveau. ${FROM_AGRILOCAL}`]);

export const signedOutPage = () => messagePage('Vous êtes déconnecté', ['Votre session est fermée.', FROM_AGRILOCAL]);
