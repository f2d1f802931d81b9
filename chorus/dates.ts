/** Chorus Pro dates on the wire (mirrors chorus-sandbox/dates.ts, which writes them). */

/** Chorus dates are French local times, `YYYY-MM-DD HH:MM` (or ISO with offset): to an ISO instant. */
export function chorusDateToIso(text: string | undefined, fallback: Date): string {
  if (!text) return fallback.toISOString();
  const iso = Date.parse(text);
  if (/[T].*([+-]\d\d:?\d\d|Z)$/.test(text) && !Number.isNaN(iso)) return new Date(iso).toISOString();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text);
  if (!m) return fallback.toISOString();
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  return new Date(asUtc - parisOffsetMs(asUtc)).toISOString();
}

/** Offset of Paris time from UTC at that instant, in ms (+1 h in winter, +2 h in summer). */
function parisOffsetMs(utcMs: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'shortOffset' })
    .formatToParts(new Date(utcMs))
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d+)(?::(\d+))?/.exec(name ?? '');
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
}
