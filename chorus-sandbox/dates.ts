/** Chorus Pro date formats, on Paris wall-clock time as the real portal shows them (docs/reference/chorus-pro-api.md §2). */

const parisParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface WallClock {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

function wallClock(date: Date): WallClock {
  const parts: Record<string, string> = {};
  for (const part of parisParts.formatToParts(date)) parts[part.type] = part.value;
  return {
    year: parts.year ?? '0000',
    month: parts.month ?? '01',
    day: parts.day ?? '01',
    hour: parts.hour ?? '00',
    minute: parts.minute ?? '00',
    second: parts.second ?? '00',
  };
}

/** `YYYY-MM-DD` (dateDepot). */
export function chorusDate(date: Date): string {
  const w = wallClock(date);
  return `${w.year}-${w.month}-${w.day}`;
}

/** `YYYY-MM-DD HH:MM` (histoStatutDatePassage, recycler's dateDepot). */
export function chorusDateTime(date: Date): string {
  const w = wallClock(date);
  return `${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute}`;
}

/** ISO-8601 with the Paris offset, e.g. `2018-02-16T15:10:25.536+01:00` (dateHeureEtatCourantFlux). */
export function chorusTimestamp(date: Date): string {
  const w = wallClock(date);
  const asUtc = Date.UTC(+w.year, +w.month - 1, +w.day, +w.hour, +w.minute, +w.second);
  const offsetMinutes = Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  const millis = String(date.getUTCMilliseconds()).padStart(3, '0');
  return `${w.year}-${w.month}-${w.day}T${w.hour}:${w.minute}:${w.second}.${millis}${offset}`;
}
