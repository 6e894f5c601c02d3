import { z } from 'zod';
import { singleLine, uuid } from '../../lib/validation.js';

export const AUDIENCES = ['both', 'seller'] as const;

export const criterionLabels = z.object({
  label_nb: singleLine(200),
  label_en: singleLine(200),
});

export const newCriterionForm = criterionLabels.extend({
  audience: z.enum(AUDIENCES, 'Choose who is asked'),
});

export const criterionParams = z.object({ id: uuid });

export const moveForm = z.object({ direction: z.enum(['up', 'down']) });

/** The key a new criterion gets from its English label: `^[a-z][a-z0-9_]{0,59}$`, as the table demands. */
export function slugOf(label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const started = /^[a-z]/.test(slug) ? slug : `criterion_${slug}`.replace(/_+$/, '');
  return started.slice(0, 50).replace(/_+$/, '');
}
