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
