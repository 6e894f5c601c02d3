import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Language } from '../../db/database.js';
import { formatDeadline } from '../../lib/dates.js';
import { translate } from '../../lib/i18n.js';
import { viewsDir } from '../../paths.js';
import { answersUse, estimatedMinutes, privacyContactLine } from '../respondent/respondent.page.js';
import '../respondent/respondent.messages.js';
import type { MessageContext } from './email.queries.js';
import './email.messages.js';

/** A message ready for nodemailer, and for the outbox page. */
export interface RenderedEmail {
  from: { name: string; address: string };
  replyTo?: { name: string; address: string };
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  language: Language;
}

// The HTML part escapes every value; the text part is plain text and escapes nothing. Values (the
// manager's intro, names) are inserted as data, never compiled as templates.
const htmlTemplate = Handlebars.create().compile(
  readFileSync(path.join(viewsDir, 'emails', 'message.html.hbs'), 'utf8'),
  { strict: true },
);
const textTemplate = Handlebars.create().compile(
  readFileSync(path.join(viewsDir, 'emails', 'message.text.hbs'), 'utf8'),
  { noEscape: true },
);

/** One line, no control characters: safe in a header and in a greeting. */
export function oneHeaderLine(value: string): string {
  return value
    .replace(/[\p{C}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function renderMessage(
  message: MessageContext,
  options: { url: string; optOutUrl: string; mailFrom: string; intro: string | null },
): RenderedEmail {
  const lang = message.language;
  const t = (key: string, params: Record<string, unknown> = {}) => translate(lang, key, params);
  const supplier = oneHeaderLine(message.supplierName);
  const name = message.name ? oneHeaderLine(message.name) : '';
  const kam = message.role === 'customer' && message.kamName ? oneHeaderLine(message.kamName) : null;
  const sender = kam ? `${kam}, ${supplier}` : supplier;
  const unfinished = message.kind === 'reminder' && message.responseStatus !== null;
  const variant = message.kind === 'invitation' ? 'invitation' : unfinished ? 'finish' : 'reminder';
  const subject = t(`email.subject.${variant}`, { supplier });
  const values = {
    lang,
    subject,
    greeting: name ? t('email.greeting', { name }) : t('email.greetingNoName'),
    ask: t(`email.ask.${message.role}`, { sender: kam ?? supplier, supplier, count: message.criteriaCount }),
    nudge: variant === 'invitation' ? '' : t(`email.${variant}`),
    duration: t('email.duration', {
      minutes: estimatedMinutes(message.criteriaCount, message.role, message.overallQuestion),
    }),
    intro: options.intro?.trim() ? options.intro.trim() : '',
    button: t('email.button'),
    linkText: t('email.linkText'),
    url: options.url,
    closes: message.closesAt ? t('email.closes', { date: formatDeadline(lang, message.closesAt) }) : '',
    personal: t('email.personal'),
    // The same promise as the form's first screen: who sees the answers and how, and whom to ask.
    use: answersUse(lang, {
      role: message.role,
      supplierName: supplier,
      kamName: kam,
      confidential: message.confidential,
      minGroupSize: message.minGroupSize,
      privacyContact: null,
    }),
    privacy: privacyContactLine(lang, {
      supplierName: supplier,
      privacyContact: message.privacyContact ? oneHeaderLine(message.privacyContact) : null,
    }),
    sender,
    optOut: t('email.optOut', { supplier, url: options.optOutUrl }),
    optOutHtml: t('email.optOutHtml', { supplier }),
    optOutLink: t('email.optOutLink'),
    optOutUrl: options.optOutUrl,
  };
  return {
    from: { name: sender, address: options.mailFrom },
    ...(kam && message.kamEmail ? { replyTo: { name: kam, address: message.kamEmail } } : {}),
    to: { name, address: message.email },
    subject,
    text: textTemplate(values),
    html: htmlTemplate(values),
    headers: {
      'List-Unsubscribe': `<${options.optOutUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    },
    language: lang,
  };
}
