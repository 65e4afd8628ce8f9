// The PostgreSQL twin of schema.ts: the same tables, column names, TypeScript types and
// nullability (test/db/schema-parity.test.ts holds them together). Epoch milliseconds are bigint
// read as numbers; defaults computed in SQLite's DDL are filled in by drizzle here.
import { bigint, boolean, doublePrecision, index, integer, json, pgTable, primaryKey, serial, text, uniqueIndex } from 'drizzle-orm/pg-core'
import type { LimitSpec } from './schema.js'

const ms = (name: string) => bigint(name, { mode: 'number' })
const now = () => Date.now()

export const clientKeys = pgTable(
  'client_keys',
  {
    id: serial('id').primaryKey(),
    keyHash: text('key_hash').notNull(),
    prefix: text('prefix').notNull(),
    suffix: text('suffix').notNull(),
    remark: text('remark').notNull().default(''),
    enabled: boolean('enabled').notNull().default(true),
    expiresAt: ms('expires_at'),
    allowedModels: json('allowed_models').$type<string[] | null>(),
    userId: text('user_id'),
    actForOthers: boolean('act_for_others').notNull().default(false),
    createdAt: ms('created_at').notNull().$defaultFn(now),
    lastUsedAt: ms('last_used_at'),
    rpm: integer('rpm'),
    tpm: integer('tpm'),
    concurrency: integer('concurrency'),
    limits: json('limits').$type<{ models?: Record<string, LimitSpec> } | null>(),
  },
  (t) => [uniqueIndex('client_keys_hash').on(t.keyHash)],
)

export const credentials = pgTable(
  'credentials',
  {
    id: serial('id').primaryKey(),
    provider: text('provider').notNull(),
    secretEnc: text('secret_enc').notNull(),
    secretHash: text('secret_hash').notNull(),
    secretTail: text('secret_tail').notNull(),
    remark: text('remark').notNull().default(''),
    source: text('source', { enum: ['admin', 'config'] }).notNull().default('admin'),
    status: text('status', { enum: ['active', 'cooling', 'invalid', 'disabled'] }).notNull().default('active'),
    cooldownUntil: ms('cooldown_until'),
    failures: integer('failures').notNull().default(0),
    lastError: text('last_error'),
    lastUsedAt: ms('last_used_at'),
    lastProbedAt: ms('last_probed_at'),
    account: text('account'),
    credit: doublePrecision('credit'),
    advancedCredit: doublePrecision('advanced_credit'),
    subscribed: boolean('subscribed'),
    verified: boolean('verified').notNull().default(false),
    stateEnc: text('state_enc'),
    createdAt: ms('created_at').notNull().$defaultFn(now),
    updatedAt: ms('updated_at').notNull().$defaultFn(now),
  },
  (t) => [uniqueIndex('credentials_provider_secret').on(t.provider, t.secretHash), index('credentials_provider').on(t.provider)],
)

export const usageRecords = pgTable(
  'usage_records',
  {
    id: serial('id').primaryKey(),
    requestId: text('request_id').notNull(),
    clientRequestId: text('client_request_id'),
    createdAt: ms('created_at').notNull(),
    clientKeyId: integer('client_key_id'),
    userId: text('user_id'),
    provider: text('provider'),
    credentialId: integer('credential_id'),
    model: text('model').notNull(),
    servedModel: text('served_model'),
    stream: boolean('stream').notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    estimated: boolean('estimated').notNull().default(false),
    latencyMs: integer('latency_ms').notNull(),
    ttftMs: integer('ttft_ms'),
    status: integer('status').notNull(),
    errorClass: text('error_class'),
    charged: doublePrecision('charged').notNull().default(0),
  },
  (t) => [uniqueIndex('usage_records_request').on(t.requestId), index('usage_records_created').on(t.createdAt)],
)

export const conversations = pgTable(
  'conversations',
  {
    id: serial('id').primaryKey(),
    provider: text('provider').notNull(),
    credentialId: integer('credential_id').notNull(),
    historyHash: text('history_hash').notNull(),
    conversationId: text('conversation_id').notNull(),
    parentId: text('parent_id'),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [uniqueIndex('conversations_key').on(t.provider, t.historyHash), index('conversations_updated').on(t.updatedAt)],
)

export const users = pgTable('users', {
  userId: text('user_id').primaryKey(),
  mode: text('mode').notNull().default(''),
  token: doublePrecision('token').notNull().default(0),
  availToken: doublePrecision('avail_token').notNull().default(0),
  updatetime: bigint('updatetime', { mode: 'number' }).notNull(),
  limits: json('limits').$type<LimitSpec | null>(),
})

export const billingHolds = pgTable(
  'billing_holds',
  {
    id: serial('id').primaryKey(),
    userId: text('user_id').notNull(),
    requestId: text('request_id').notNull(),
    amount: doublePrecision('amount').notNull(),
    instanceId: text('instance_id').notNull().default(''),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('billing_holds_created').on(t.createdAt), index('billing_holds_instance').on(t.instanceId)],
)

export const records = pgTable(
  'records',
  {
    id: serial('id').primaryKey(),
    userId: text('user_id'),
    requestId: text('request_id'),
    question: text('question').notNull().default(''),
    answer: text('answer').notNull().default(''),
    content: text('content').notNull().default(''),
    toolCalls: json('tool_calls').$type<unknown[] | null>(),
    model: text('model'),
    servedModel: text('served_model'),
    token: doublePrecision('token').notNull().default(0),
    isDeleted: boolean('is_deleted').notNull().default(false),
    recordType: integer('record_type').notNull(),
    chatId: text('chat_id'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('records_user').on(t.userId, t.id), index('records_created').on(t.createdAt)],
)

export const chatSessions = pgTable(
  'chat_sessions',
  {
    sessionId: text('session_id').primaryKey(),
    userId: text('user_id'),
    keyId: integer('key_id'),
    model: text('model'),
    conversationId: text('conversation_id'),
    messages: json('messages').$type<{ role: 'user' | 'assistant'; content: string }[]>().notNull(),
    busyUntil: ms('busy_until'),
    lastActivity: ms('last_activity').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('chat_sessions_activity').on(t.lastActivity)],
)

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    bodyHash: text('body_hash').notNull(),
    response: json('response').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_created').on(t.createdAt)],
)

export const storedResponses = pgTable(
  'stored_responses',
  {
    id: text('id').primaryKey(),
    userId: text('user_id'),
    keyId: integer('key_id'),
    previousId: text('previous_id'),
    inputItems: json('input_items').$type<unknown[]>().notNull(),
    messages: json('messages').$type<unknown[]>().notNull(),
    output: json('output').$type<unknown[]>().notNull(),
    response: json('response').$type<Record<string, unknown>>().notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('stored_responses_created').on(t.createdAt)],
)

export const mcpServers = pgTable('mcp_servers', {
  name: text('name').primaryKey(),
  configEnc: text('config_enc').notNull(),
  disabled: boolean('disabled').notNull().default(false),
  updatedAt: ms('updated_at').notNull().$defaultFn(now),
})

export const runtimeSettings = pgTable('runtime_settings', {
  path: text('path').primaryKey(),
  value: json('value').notNull(),
  updatedAt: ms('updated_at').notNull().$defaultFn(now),
})

export const mediaTasks = pgTable(
  'media_tasks',
  {
    id: text('id').primaryKey(),
    userId: text('user_id'),
    keyId: integer('key_id'),
    requestId: text('request_id').notNull(),
    clientRequestId: text('client_request_id'),
    kind: text('kind', { enum: ['image', 'video', 'music', 'transcription'] }).notNull(),
    model: text('model').notNull(),
    status: text('status', { enum: ['submitting', 'queued', 'in_progress', 'completed', 'failed'] }).notNull(),
    progress: integer('progress').notNull().default(0),
    provider: text('provider'),
    credentialId: integer('credential_id'),
    upstreamModel: text('upstream_model'),
    upstreamId: text('upstream_id'),
    state: json('state').$type<Record<string, unknown>>(),
    request: json('request').$type<Record<string, unknown>>().notNull(),
    outputs: json('outputs').$type<unknown[]>(),
    text: text('text'),
    error: text('error'),
    errorKind: text('error_kind'),
    usage: json('usage').$type<Record<string, number>>(),
    holdId: integer('hold_id'),
    charged: doublePrecision('charged').notNull().default(0),
    chatId: text('chat_id'),
    recordType: integer('record_type').notNull(),
    polls: integer('polls').notNull().default(0),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    completedAt: ms('completed_at'),
  },
  (t) => [index('media_tasks_owner').on(t.userId, t.createdAt), index('media_tasks_status').on(t.status)],
)
