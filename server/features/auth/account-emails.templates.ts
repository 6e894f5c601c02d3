import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { translate } from '../../lib/i18n.js';
import { viewsDir } from '../../paths.js';
import { oneHeaderLine, type RenderedEmail } from '../email/email.templates.js';
import type { AccountEmailContext } from './account-emails.queries.js';
import './account-emails.messages.js';

// As for invitations: the HTML part escapes every value, the text part is plain text; names are data.
const htmlTemplate = Handlebars.create().compile(
  readFileSync(path.join(viewsDir, 'emails', 'account.html.hbs'), 'utf8'),
  { strict: false },
);
const textTemplate = Handlebars.create().compile(
  readFileSync(path.join(viewsDir, 'emails', 'account.text.hbs'), 'utf8'),
  { noEscape: true },
);

/**
 * An account email. `url` is the link it carries (the account link, or the login page for the
 * "you already have an account" note); `resetUrl` the forgot-password page that note also points to.
 */
export function renderAccountEmail(
  message: AccountEmailContext,
  options: { url: string; resetUrl: string; mailFrom: string },
): RenderedEmail {
  const lang = message.language;
  const kind = message.kind;
  const t = (key: string, params: Record<string, unknown> = {}) => translate(lang, key, params);
  const name = message.name ? oneHeaderLine(message.name) : '';
  const organization = oneHeaderLine(message.organizationName ?? '');
  const has = (key: string) => translate(lang, key) !== key;
  const subject = t(`accountEmail.${kind}.subject`, { organization });
  const sender = t('accountEmail.sender');
  const values = {
    lang,
    subject,
    greeting: name ? t('accountEmail.greeting', { name }) : t('accountEmail.greetingNoName'),
    paragraphs: [t(`accountEmail.${kind}.text`, { organization, email: message.email })],
    button: t(`accountEmail.${kind}.button`),
    linkText: t('accountEmail.linkText'),
    url: options.url,
    secondaryText: kind === 'account_exists' ? t('accountEmail.account_exists.secondary') : '',
    secondaryUrl: kind === 'account_exists' ? options.resetUrl : '',
    validity: has(`accountEmail.${kind}.validity`) ? t(`accountEmail.${kind}.validity`) : '',
    ignore: has(`accountEmail.${kind}.ignore`) ? t(`accountEmail.${kind}.ignore`) : '',
    sender,
  };
  return {
    from: { name: sender, address: options.mailFrom },
    to: { name, address: message.email },
    subject,
    text: textTemplate(values),
    html: htmlTemplate(values),
    headers: { 'Auto-Submitted': 'auto-generated' },
    language: lang,
  };
}
