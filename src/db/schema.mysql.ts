// The MySQL/MariaDB twin of schema.ts: the same tables, column names, TypeScript types and
// nullability (test/db/schema-parity.test.ts holds them together). Columns that are keys or
// indexed are varchar (InnoDB indexes no unbounded text); free text is longtext, whose '' default
// drizzle fills in (MySQL refuses literal defaults on text columns). JSON is kept as longtext and
// parsed here: MariaDB's JSON is longtext too, and mysql2 hands it back unparsed.
import { bigint, boolean, customType, double, index, int, longtext, mysqlTable, primaryKey, uniqueIndex, varchar } from 'drizzle-orm/mysql-core'
import type { LimitSpec } from './schema.js'

const ms = (name: string) => bigint(name, { mode: 'number' })
const now = () => Date.now()
/**
 * Short strings: names, hashes, ids. 191 characters keep a utf8mb4 key within InnoDB's limits; a
 * binary collation compares them as SQLite and PostgreSQL do (the default one ignores case).
 */
const key = (name: string, length = 191) =>
  customType<{ data: string; driverData: string }>({ dataType: () => `varchar(${length}) character set utf8mb4 collate utf8mb4_bin` })(name)
/** Free text; notNull columns with '' as default get it from drizzle. */
const text = (name: string) => longtext(name)
const json = customType<{ data: unknown; driverData: string }>({
  dataType: () => 'longtext',
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
})

export const clientKeys = mysqlTable(
  'client_keys',
  {
    id: int('id').autoincrement().primaryKey(),
    keyHash: key('key_hash', 64).notNull(),
    prefix: text('prefix').notNull(),
    suffix: text('suffix').notNull(),
    remark: text('remark').notNull().$default(() => ''),
    enabled: boolean('enabled').notNull().default(true),
    expiresAt: ms('expires_at'),
    allowedModels: json('allowed_models').$type<string[] | null>(),
    userId: key('user_id'),
    actForOthers: boolean('act_for_others').notNull().default(false),
    createdAt: ms('created_at').notNull().$defaultFn(now),
    lastUsedAt: ms('last_used_at'),
    rpm: int('rpm'),
    tpm: int('tpm'),
    concurrency: int('concurrency'),
    limits: json('limits').$type<{ models?: Record<string, LimitSpec> } | null>(),
  },
  (t) => [uniqueIndex('client_keys_hash').on(t.keyHash)],
)

export const credentials = mysqlTable(
  'credentials',
  {
    id: int('id').autoincrement().primaryKey(),
    provider: key('provider', 128).notNull(),
    secretEnc: text('secret_enc').notNull(),
    secretHash: key('secret_hash', 64).notNull(),
    secretTail: key('secret_tail', 16).notNull(),
    remark: text('remark').notNull().$default(() => ''),
    source: varchar('source', { length: 16, enum: ['admin', 'config'] }).notNull().default('admin'),
    status: varchar('status', { length: 16, enum: ['active', 'cooling', 'invalid', 'disabled'] }).notNull().default('active'),
    cooldownUntil: ms('cooldown_until'),
    failures: int('failures').notNull().default(0),
    lastError: text('last_error'),
    lastUsedAt: ms('last_used_at'),
    lastProbedAt: ms('last_probed_at'),
    account: text('account'),
    credit: double('credit'),
    advancedCredit: double('advanced_credit'),
    subscribed: boolean('subscribed'),
    verified: boolean('verified').notNull().default(false),
    stateEnc: text('state_enc'),
    createdAt: ms('created_at').notNull().$defaultFn(now),
    updatedAt: ms('updated_at').notNull().$defaultFn(now),
  },
  (t) => [uniqueIndex('credentials_provider_secret').on(t.provider, t.secretHash), index('credentials_provider').on(t.provider)],
)

export const usageRecords = mysqlTable(
  'usage_records',
  {
    id: int('id').autoincrement().primaryKey(),
    requestId: key('request_id', 64).notNull(),
    clientRequestId: text('client_request_id'),
    createdAt: ms('created_at').notNull(),
    clientKeyId: int('client_key_id'),
    userId: key('user_id'),
    provider: key('provider', 128),
    credentialId: int('credential_id'),
    model: text('model').notNull(),
    servedModel: text('served_model'),
    stream: boolean('stream').notNull(),
    promptTokens: int('prompt_tokens').notNull().default(0),
    completionTokens: int('completion_tokens').notNull().default(0),
    estimated: boolean('estimated').notNull().default(false),
    latencyMs: int('latency_ms').notNull(),
    ttftMs: int('ttft_ms'),
    status: int('status').notNull(),
    errorClass: text('error_class'),
    charged: double('charged').notNull().default(0),
  },
  (t) => [uniqueIndex('usage_records_request').on(t.requestId), index('usage_records_created').on(t.createdAt)],
)

export const conversations = mysqlTable(
  'conversations',
  {
    id: int('id').autoincrement().primaryKey(),
    provider: key('provider', 128).notNull(),
    credentialId: int('credential_id').notNull(),
    historyHash: key('history_hash', 64).notNull(),
    conversationId: text('conversation_id').notNull(),
    parentId: text('parent_id'),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [uniqueIndex('conversations_key').on(t.provider, t.historyHash), index('conversations_updated').on(t.updatedAt)],
)

export const users = mysqlTable('users', {
  userId: key('user_id').primaryKey(),
  mode: key('mode').notNull().default(''),
  token: double('token').notNull().default(0),
  availToken: double('avail_token').notNull().default(0),
  updatetime: ms('updatetime').notNull(),
  limits: json('limits').$type<LimitSpec | null>(),
})

export const billingHolds = mysqlTable(
  'billing_holds',
  {
    id: int('id').autoincrement().primaryKey(),
    userId: key('user_id').notNull(),
    requestId: text('request_id').notNull(),
    amount: double('amount').notNull(),
    instanceId: key('instance_id').notNull().default(''),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('billing_holds_created').on(t.createdAt), index('billing_holds_instance').on(t.instanceId)],
)

export const records = mysqlTable(
  'records',
  {
    id: int('id').autoincrement().primaryKey(),
    userId: key('user_id'),
    requestId: text('request_id'),
    question: text('question').notNull().$default(() => ''),
    answer: text('answer').notNull().$default(() => ''),
    content: text('content').notNull().$default(() => ''),
    toolCalls: json('tool_calls').$type<unknown[] | null>(),
    model: text('model'),
    servedModel: text('served_model'),
    token: double('token').notNull().default(0),
    isDeleted: boolean('is_deleted').notNull().default(false),
    recordType: int('record_type').notNull(),
    chatId: text('chat_id'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('records_user').on(t.userId, t.id), index('records_created').on(t.createdAt)],
)

export const chatSessions = mysqlTable(
  'chat_sessions',
  {
    sessionId: key('session_id').primaryKey(),
    userId: key('user_id'),
    keyId: int('key_id'),
    model: text('model'),
    conversationId: text('conversation_id'),
    messages: json('messages').$type<{ role: 'user' | 'assistant'; content: string }[]>().notNull(),
    busyUntil: ms('busy_until'),
    lastActivity: ms('last_activity').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('chat_sessions_activity').on(t.lastActivity)],
)

export const idempotencyKeys = mysqlTable(
  'idempotency_keys',
  {
    scope: key('scope', 64).notNull(),
    key: key('key').notNull(),
    bodyHash: text('body_hash').notNull(),
    response: json('response').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_created').on(t.createdAt)],
)

export const storedResponses = mysqlTable(
  'stored_responses',
  {
    id: key('id').primaryKey(),
    userId: key('user_id'),
    keyId: int('key_id'),
    previousId: text('previous_id'),
    inputItems: json('input_items').$type<unknown[]>().notNull(),
    messages: json('messages').$type<unknown[]>().notNull(),
    output: json('output').$type<unknown[]>().notNull(),
    response: json('response').$type<Record<string, unknown>>().notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('stored_responses_created').on(t.createdAt)],
)

export const mcpServers = mysqlTable('mcp_servers', {
  name: key('name').primaryKey(),
  configEnc: text('config_enc').notNull(),
  disabled: boolean('disabled').notNull().default(false),
  updatedAt: ms('updated_at').notNull().$defaultFn(now),
})

export const runtimeSettings = mysqlTable('runtime_settings', {
  path: key('path').primaryKey(),
  value: json('value').notNull(),
  updatedAt: ms('updated_at').notNull().$defaultFn(now),
})

export const mediaTasks = mysqlTable(
  'media_tasks',
  {
    id: key('id').primaryKey(),
    userId: key('user_id'),
    keyId: int('key_id'),
    requestId: text('request_id').notNull(),
    clientRequestId: text('client_request_id'),
    kind: varchar('kind', { length: 16, enum: ['image', 'video', 'music', 'transcription'] }).notNull(),
    model: text('model').notNull(),
    status: varchar('status', { length: 16, enum: ['submitting', 'queued', 'in_progress', 'completed', 'failed'] }).notNull(),
    progress: int('progress').notNull().default(0),
    provider: key('provider', 128),
    credentialId: int('credential_id'),
    upstreamModel: text('upstream_model'),
    upstreamId: text('upstream_id'),
    state: json('state').$type<Record<string, unknown>>(),
    request: json('request').$type<Record<string, unknown>>().notNull(),
    outputs: json('outputs').$type<unknown[]>(),
    text: text('text'),
    error: text('error'),
    errorKind: text('error_kind'),
    usage: json('usage').$type<Record<string, number>>(),
    holdId: int('hold_id'),
    charged: double('charged').notNull().default(0),
    chatId: text('chat_id'),
    recordType: int('record_type').notNull(),
    polls: int('polls').notNull().default(0),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    completedAt: ms('completed_at'),
  },
  (t) => [index('media_tasks_owner').on(t.userId, t.createdAt), index('media_tasks_status').on(t.status)],
)
