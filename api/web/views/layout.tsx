/** The frame of every page of the producer's space: skip link, header with navigation and sign-out, main. */
import type { ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';

export interface PageFrame {
  title: string;
  /** Signed in: navigation and the sign-out form (with its CSRF token). */
  session?: { csrfToken: string; producerName: string };
  current?: 'a_traiter' | 'traitees' | 'profil';
  children: ComponentChildren;
}

export const ASSET_VERSION = '1';

function Navigation({ session, current }: Pick<PageFrame, 'session' | 'current'>) {
  if (!session) return null;
  const link = (href: string, key: PageFrame['current'], label: string) => (
    <li>
      <a href={href} aria-current={current === key ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <nav aria-label="Mon espace">
      <ul>
        {link('/factures?vue=a_traiter', 'a_traiter', 'Factures à traiter')}
        {link('/factures?vue=traitees', 'traitees', 'Factures traitées')}
        {link('/profil', 'profil', 'Mon profil')}
        <li>
          <form method="post" action="/deconnexion" class="inline">
            <input type="hidden" name="_csrf" value={session.csrfToken} />
            <button type="submit" class="link">
              Se déconnecter
            </button>
          </form>
        </li>
      </ul>
    </nav>
  );
}

function Layout({ title, session, current, children }: PageFrame) {
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} — Agrilocal facturation`}</title>
        <link rel="stylesheet" href={`/espace/espace.css?v=${ASSET_VERSION}`} />
        <script src={`/espace/espace.js?v=${ASSET_VERSION}`} defer />
      </head>
      <body>
        <a class="skip" href="#contenu">
          Aller au contenu
        </a>
        <header class="site">
          <p class="brand">
            Agrilocal <span>· Mon espace facturation</span>
          </p>
          {session ? <p class="who">{session.producerName}</p> : null}
          <Navigation session={session} current={current} />
        </header>
        <main id="contenu" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}

/** A whole page as HTML text: preact escapes every value it is given. */
export function page(frame: PageFrame): string {
  return `<!DOCTYPE html>${render(<Layout {...frame} />)}`;
}

/** The message a form shows next to a field or an action, announced to screen readers. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p class="error" id={id} role="alert">
      {message}
    </p>
  ) : null;
}
