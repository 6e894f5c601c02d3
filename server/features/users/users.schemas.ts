import { z } from 'zod';
import { loginEmail, singleLine } from '../../lib/validation.js';

export const ROLES = ['admin', 'manager', 'kam'] as const;

export const newUserBody = z.object({
  name: singleLine(200),
  email: loginEmail,
  role: z.enum(ROLES, 'Choose a role'),
});

export const userIdParams = z.object({ id: z.uuid('Not a valid id') });
