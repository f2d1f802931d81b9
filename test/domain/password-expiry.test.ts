import { dueReminder, PASSWORD_EXPIRY_STATES, passwordDaysLeft, passwordExpiryRange, passwordExpiryState } from '../../domain/password-expiry';

const NOW = Date.parse('2026-12-03T07:00:00Z');
const at = (days: number, hours = 0) => new Date(NOW + days * 86_400_000 + hours * 3_600_000).toISOString();

describe('Chorus technical account password expiry', () => {
  it('When the expiry nears, then the reminder due is the nearest threshold it is within: 30, then 7, then 1 day', () => {
    expect(dueReminder(at(45), NOW)).toBeNull();
    expect(dueReminder(at(31), NOW)).toBeNull();
    expect(dueReminder(at(30, 12), NOW)).toBe(30);
    expect(dueReminder(at(8), NOW)).toBe(30);
    expect(dueReminder(at(7, 23), NOW)).toBe(7);
    expect(dueReminder(at(2), NOW)).toBe(7);
    expect(dueReminder(at(1, 6), NOW)).toBe(1);
    expect(dueReminder(at(0, 1), NOW)).toBe(1);
  });

  it('When the password has expired or Chorus does not say, then no reminder is due and the state says so', () => {
    expect(dueReminder(at(0, -1), NOW)).toBeNull();
    expect(dueReminder(null, NOW)).toBeNull();
    expect(passwordExpiryState(at(0, -1), NOW)).toBe('expired');
    expect(passwordExpiryState(new Date(NOW), NOW)).toBe('expired');
    expect(passwordExpiryState(null, NOW)).toBe('unknown');
    expect(passwordExpiryState('not a date', NOW)).toBe('unknown');
    expect(passwordExpiryState(at(30, 23), NOW)).toBe('expiring');
    expect(passwordExpiryState(at(31), NOW)).toBe('ok');
  });

  it('When days are counted, then they are whole days left, negative once passed', () => {
    expect(passwordDaysLeft(at(5, 1), NOW)).toBe(5);
    expect(passwordDaysLeft(at(0, 3), NOW)).toBe(0);
    expect(passwordDaysLeft(at(-2, 1), NOW)).toBe(-2);
    expect(passwordDaysLeft(at(0, -1), NOW)).toBe(-1);
  });

  it('When a state is asked of the database, then its date range holds exactly the dates of that state', () => {
    const inRange = (date: Date, r: NonNullable<ReturnType<typeof passwordExpiryRange>>) =>
      (!r.gt || date > r.gt) && (!r.gte || date >= r.gte) && (!r.lt || date < r.lt) && (!r.lte || date <= r.lte);
    for (const hours of [-49, -1, 0, 1, 23, 24 * 30, 24 * 31 - 1, 24 * 31, 24 * 31 + 1, 24 * 90]) {
      const date = new Date(NOW + hours * 3_600_000);
      for (const state of PASSWORD_EXPIRY_STATES.filter((s) => s !== 'unknown')) {
        expect([hours, state, inRange(date, passwordExpiryRange(state, NOW) ?? {})]).toEqual([hours, state, passwordExpiryState(date, NOW) === state]);
      }
    }
    expect(passwordExpiryRange('unknown', NOW)).toBeNull();
  });
});
