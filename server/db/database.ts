import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type Role = 'admin' | 'manager' | 'kam';

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  small_sample_threshold: Generated<number>;
  created_at: Generated<Date>;
}

export interface UsersTable {
  organization_id: string;
  id: Generated<string>;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface LoginIdentitiesTable {
  email: string;
  organization_id: string;
  user_id: string;
}

export interface SessionsTable {
  id: string;
  data: ColumnType<unknown, string, string>;
  organization_id: string | null;
  user_id: string | null;
  expires_at: Timestamp;
}

export interface ApiKeysTable {
  organization_id: string;
  id: Generated<string>;
  user_id: string;
  name: string;
  prefix: string;
  key_hash: Buffer;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface Database {
  organizations: OrganizationsTable;
  users: UsersTable;
  login_identities: LoginIdentitiesTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
}

/** Queries take this first: the app's Kysely instance or a transaction. */
export type Db = Kysely<Database> | Transaction<Database>;
