import { type Lang, translate } from '../../lib/i18n.js';
import { csvLine } from '../reports/report.csv.js';
import type { ActionRow } from './actions.queries.js';

const HEADER = [
  'actions.csv.wave',
  'actions.csv.criterionKey',
  'actions.csv.criterion',
  'actions.csv.title',
  'actions.csv.account',
  'actions.csv.owner',
  'actions.csv.dueDate',
  'actions.csv.status',
  'actions.csv.note',
  'actions.csv.createdAt',
  'actions.csv.updatedAt',
];

/**
 * A wave's actions as CSV the way the report's export writes it (UTF-8 with BOM, `;`, every cell quoted, a
 * cell a spreadsheet would read as a formula kept as text): headers, labels and statuses in `lang`, times
 * in UTC. A wave has few actions, so the text is built at once.
 */
export function actionsCsv(lang: Lang, actions: readonly ActionRow[]): string {
  let text = `\uFEFF${csvLine(HEADER.map((key) => translate(lang, key)))}`;
  for (const action of actions) {
    text += csvLine([
      action.surveyName,
      action.criterionKey,
      lang === 'en' ? action.labelEn : action.labelNb,
      action.title,
      action.accountName,
      action.ownerName,
      action.dueDate,
      translate(lang, `actions.status.${action.status}`),
      action.note,
      action.createdAt.toISOString(),
      action.updatedAt.toISOString(),
    ]);
  }
  return text;
}
