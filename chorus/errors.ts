/**
 * The three ways a Chorus Pro call can fail, decided once by the transport.
 *
 * Class names are part of the contract: Temporal records `error.name` as the failure type and the workflow lists
 * the non-retryable ones, so each class sets `name` explicitly (it must survive bundling and minifying).
 * Messages name the call and what Chorus said, never a credential.
 */

/** Common base: `operation` is "POST /cpro/…" (or the token endpoint path), never a full URL with a query. */
export abstract class ChorusError extends Error {
  abstract readonly retryable: boolean;
  readonly operation: string;

  protected constructor(message: string, operation: string, options?: { cause?: unknown }) {
    super(message, options);
    this.operation = operation;
  }
}

/**
 * Worth retrying later: the request did not reach Chorus, timed out, or Chorus was unavailable (5xx, 408, 429, an
 * answer of unexpected shape). For a deposit the outcome is unknown: look the invoice up before depositing again.
 */
export class ChorusTransientError extends ChorusError {
  override readonly name = 'ChorusTransientError';
  readonly retryable = true;
  /** HTTP status when Chorus answered; undefined for network errors and timeouts. */
  readonly httpStatus: number | undefined;
  /** From `Retry-After` (429/503), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  readonly timedOut: boolean;

  constructor(
    message: string,
    details: { operation: string; httpStatus?: number; retryAfterMs?: number; timedOut?: boolean; cause?: unknown },
  ) {
    super(message, details.operation, { cause: details.cause });
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
    this.timedOut = details.timedOut ?? false;
  }
}

/**
 * Chorus refused the request itself: a non-zero `codeRetour` (whatever the HTTP status) or a 4xx other than
 * authentication. Retrying the same request gives the same answer. `codeRetour` and `libelle` are verbatim;
 * `codeRetour` is null when a 4xx came without the Chorus envelope (e.g. a 404 from a wrong base URL).
 */
export class ChorusBusinessError extends ChorusError {
  override readonly name = 'ChorusBusinessError';
  readonly retryable = false;
  readonly codeRetour: number | null;
  readonly libelle: string;
  readonly httpStatus: number;

  constructor(details: { operation: string; codeRetour: number | null; libelle: string; httpStatus: number }) {
    const code = details.codeRetour === null ? 'no codeRetour' : `codeRetour ${details.codeRetour}`;
    super(`Chorus Pro refused ${details.operation} (HTTP ${details.httpStatus}, ${code}): ${details.libelle}`, details.operation);
    this.codeRetour = details.codeRetour;
    this.libelle = details.libelle;
    this.httpStatus = details.httpStatus;
  }
}

/**
 * Chorus' "no result" answer to a search: `20000 TRA_MSG_00.015 - La recherche n'a retourné aucun résultat`
 * (and `20007 GFT_MSG_01.075` for works invoices), sent with HTTP 200 by the real host (Pastell's
 * CPPWrapper). A search that finds nothing is an empty list, not a refusal.
 */
export const NO_RESULT_CODES: readonly number[] = [20000, 20007];
const NO_RESULT_MESSAGES = ['TRA_MSG_00.015', 'GFT_MSG_01.075'];

export function isNoResult(error: unknown): boolean {
  if (!(error instanceof ChorusBusinessError)) return false;
  const libelle = error.libelle.trim();
  return (
    NO_RESULT_MESSAGES.some((m) => libelle.startsWith(m)) ||
    (error.codeRetour !== null && NO_RESULT_CODES.includes(error.codeRetour) && error.httpStatus < 300)
  );
}

export type ChorusAuthReason =
  /** The PISTE token endpoint refused our OAuth client (`error` / `error_description` carried). */
  | 'token_refused'
  /** 401 on a business call even with a freshly issued token: usually the `cpro-account` technical login. */
  | 'unauthorized'
  /** 403: the PISTE application is not subscribed to this API, or the technical user lost its rights. */
  | 'forbidden';

/**
 * Our credentials are not accepted. Not retryable by the caller: somebody has to fix the configuration (PISTE
 * application, client secret, technical account password, which expires).
 */
export class ChorusAuthError extends ChorusError {
  override readonly name = 'ChorusAuthError';
  readonly retryable = false;
  readonly reason: ChorusAuthReason;
  readonly httpStatus: number;
  /** OAuth error code from the token endpoint, e.g. `invalid_client`. */
  readonly error: string | undefined;
  readonly error_description: string | undefined;
  /** The `WWW-Authenticate` header PISTE sent with a 401 (it says which check failed). */
  readonly wwwAuthenticate: string | undefined;

  constructor(details: {
    operation: string;
    reason: ChorusAuthReason;
    httpStatus: number;
    error?: string;
    error_description?: string;
    wwwAuthenticate?: string;
  }) {
    super(ChorusAuthError.describe(details), details.operation);
    this.reason = details.reason;
    this.httpStatus = details.httpStatus;
    this.error = details.error;
    this.error_description = details.error_description;
    this.wwwAuthenticate = details.wwwAuthenticate;
  }

  private static describe(d: {
    operation: string;
    reason: ChorusAuthReason;
    httpStatus: number;
    error?: string;
    error_description?: string;
    wwwAuthenticate?: string;
  }): string {
    switch (d.reason) {
      case 'token_refused':
        return (
          `PISTE refused the OAuth client (HTTP ${d.httpStatus}, ${d.error ?? 'no error code'}` +
          `${d.error_description ? `: ${d.error_description}` : ''}); check CHORUS_CLIENT_ID / CHORUS_CLIENT_SECRET ` +
          'and the PISTE application of this environment'
        );
      case 'unauthorized':
        return (
          `Chorus Pro answered 401 to ${d.operation} with a fresh token` +
          `${d.wwwAuthenticate ? ` (WWW-Authenticate: ${d.wwwAuthenticate})` : ''}; ` +
          'check CHORUS_TECH_LOGIN / CHORUS_TECH_PASSWORD (the technical account password expires)'
        );
      case 'forbidden':
        return (
          `Chorus Pro answered 403 to ${d.operation}; the PISTE application is probably not subscribed to this ` +
          'Chorus Pro API, or the technical user lost its rights'
        );
    }
  }
}

export function isChorusError(error: unknown): error is ChorusError {
  return error instanceof ChorusError;
}
