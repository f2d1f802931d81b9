/**
 * The Chorus technical account's password expires (`dateExpirationMotPasseCompteTech`); past that date every
 * call fails. Its owner is told 30, 7 and 1 days before (OCA reminds its users the same way), and sending by
 * Chorus is refused once it has passed. One rule for /readyz, the admin view and the reminder mails.
 */
export const PASSWORD_REMINDER_DAYS = [30, 7, 1] as const;
export type PasswordReminderDays = (typeof PASSWORD_REMINDER_DAYS)[number];

export const PASSWORD_EXPIRY_STATES = ['ok', 'expiring', 'expired', 'unknown'] as const;
export type PasswordExpiryState = (typeof PASSWORD_EXPIRY_STATES)[number];

const DAY_MS = 86_400_000;

/**
 * Whole days left before the password expires (0: it expires within the day), negative once passed; null when
 * Chorus does not say.
 */
export function passwordDaysLeft(expiresAt: string | Date | null, now: number): number | null {
  if (expiresAt === null) return null;
  const at = typeof expiresAt === 'string' ? Date.parse(expiresAt) : expiresAt.getTime();
  if (Number.isNaN(at)) return null;
  if (at <= now) return Math.min(-1, Math.floor((at - now) / DAY_MS));
  return Math.floor((at - now) / DAY_MS);
}

export function passwordExpiryState(expiresAt: string | Date | null, now: number): PasswordExpiryState {
  const daysLeft = passwordDaysLeft(expiresAt, now);
  if (daysLeft === null) return 'unknown';
  if (daysLeft < 0) return 'expired';
  return daysLeft <= PASSWORD_REMINDER_DAYS[0] ? 'expiring' : 'ok';
}

/**
 * The expiry dates in `state` as of `now`, as bounds for a query (the boundaries of passwordExpiryState):
 * `null` for 'unknown' (no date).
 */
export function passwordExpiryRange(state: PasswordExpiryState, now: number): { gt?: Date; gte?: Date; lt?: Date; lte?: Date } | null {
  const soon = new Date(now + (PASSWORD_REMINDER_DAYS[0] + 1) * DAY_MS);
  switch (state) {
    case 'unknown':
      return null;
    case 'expired':
      return { lte: new Date(now) };
    case 'expiring':
      return { gt: new Date(now), lt: soon };
    case 'ok':
      return { gte: soon };
  }
}

/**
 * The reminder due now: the nearest threshold the expiry is within (a run that missed the 30-day one at 6 days
 * left sends the 7-day one only); none once passed or when far. Sent once per threshold and expiry date: a
 * renewed password (a new date) starts again.
 */
export function dueReminder(expiresAt: string | Date | null, now: number): PasswordReminderDays | null {
  const daysLeft = passwordDaysLeft(expiresAt, now);
  if (daysLeft === null || daysLeft < 0) return null;
  let due: PasswordReminderDays | null = null;
  for (const days of PASSWORD_REMINDER_DAYS) if (daysLeft <= days) due = days;
  return due;
}
