import type { Lang } from './i18n.js';

/** Deadlines are read in Norwegian time, where the product's users are, whatever the server's zone. */
const ZONE = 'Europe/Oslo';

const dateFormats: Record<Lang, Intl.DateTimeFormat> = {
  nb: new Intl.DateTimeFormat('nb-NO', { timeZone: ZONE, day: 'numeric', month: 'long', year: 'numeric' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, day: 'numeric', month: 'long', year: 'numeric' }),
};
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit' });

/**
 * A deadline as a reader says it: "15. desember 2026" / "15 December 2026" when it ends the day in Norway
 * (as close dates picked on a page do), else with the time: "15. desember 2026 kl. 12:00" / "… at 12:00".
 */
export function formatDeadline(lang: Lang, date: Date): string {
  const day = dateFormats[lang].format(date);
  const time = timeFormat.format(date);
  if (time === '23:59') return day;
  return lang === 'nb' ? `${day} kl. ${time}` : `${day} at ${time}`;
}

const isoParts = new Map<string, Intl.DateTimeFormat>();

/**
 * ISO 8601 local time in `timeZone` with its UTC offset, to the second: `2026-03-10T13:00:00+01:00`.
 * An analyst's tool reads it as the same instant, and a person reads the local time.
 */
export function isoWithOffset(date: Date, timeZone: string = ZONE): string {
  let format = isoParts.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    isoParts.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  const [year, month, day, hour, minute, second] = [
    part.year,
    part.month,
    part.day,
    part.hour,
    part.minute,
    part.second,
  ].map(Number) as [number, number, number, number, number, number];
  const seconds = Math.floor(date.getTime() / 1000) * 1000;
  const offsetMinutes = Math.round((Date.UTC(year, month - 1, day, hour, minute, second) - seconds) / 60000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return (
    `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
