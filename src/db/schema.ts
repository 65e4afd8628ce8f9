// The only description of our tables; drizzle-kit generates drizzle/*.sql from it.
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

const now = sql`(unixepoch('subsec') * 1000)`

/** A rate limit: requests and tokens per minute, requests at once; an absent field limits nothing. */
export interface LimitSpec {
  rpm?: number | null | undefined
  tpm?: number | null | undefined
  concurrency?: number | null | undefined
}

export const clientKeys = sqliteTable(
  'client_keys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    keyHash: text('key_hash').notNull(),
    prefix: text('prefix').notNull(),
    suffix: text('suffix').notNull(),
    remark: text('remark').notNull().default(''),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    expiresAt: integer('expires_at'),
    /** JSON array of model names; null allows every model. */
    allowedModels: text('allowed_models', { mode: 'json' }).$type<string[] | null>(),
    userId: text('user_id'),
    /** May name another user (user_id) on the compatibility routes. */
    actForOthers: integer('act_for_others', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull().default(now),
    lastUsedAt: integer('last_used_at'),
    /** Rate limits (null: the config's limits.defaults); see src/core/rate-limits.ts. */
    rpm: integer('rpm'),
    tpm: integer('tpm'),
    concurrency: integer('concurrency'),
    /** Per-model limits: { models: { <model>: { rpm, tpm, concurrency } } }. */
    limits: text('limits', { mode: 'json' }).$type<{ models?: Record<string, LimitSpec> } | null>(),
  },
  (t) => [uniqueIndex('client_keys_hash').on(t.keyHash)],
)

export const credentials = sqliteTable(
  'credentials',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    provider: text('provider').notNull(),
    /** AES-256-GCM sealed secret. */
    secretEnc: text('secret_enc').notNull(),
    /** SHA-256 of the secret, to refuse duplicates without decrypting. */
    secretHash: text('secret_hash').notNull(),
    secretTail: text('secret_tail').notNull(),
    remark: text('remark').notNull().default(''),
    source: text('source', { enum: ['admin', 'config'] }).notNull().default('admin'),
    status: text('status', { enum: ['active', 'cooling', 'invalid', 'disabled'] }).notNull().default('active'),
    cooldownUntil: integer('cooldown_until'),
    failures: integer('failures').notNull().default(0),
    lastError: text('last_error'),
    lastUsedAt: integer('last_used_at'),
    lastProbedAt: integer('last_probed_at'),
    account: text('account'),
    credit: real('credit'),
    advancedCredit: real('advanced_credit'),
    subscribed: integer('subscribed', { mode: 'boolean' }),
    /** The upstream has confirmed it works (a probe or a served request); false until then. */
    verified: integer('verified', { mode: 'boolean' }).notNull().default(false),
    /** Sealed JSON owned by the provider (cached access tokens, device ids). */
    stateEnc: text('state_enc'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [uniqueIndex('credentials_provider_secret').on(t.provider, t.secretHash), index('credentials_provider').on(t.provider)],
)

export const usageRecords = sqliteTable(
  'usage_records',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Freeway's own id for the request (UUIDv7); never the client's, which may repeat. */
    requestId: text('request_id').notNull(),
    /** The client's X-Request-Id, when it sent one. */
    clientRequestId: text('client_request_id'),
    createdAt: integer('created_at').notNull(),
    clientKeyId: integer('client_key_id'),
    userId: text('user_id'),
    provider: text('provider'),
    credentialId: integer('credential_id'),
    /** The model as the client named it (an alias or route name, suffixes included). */
    model: text('model').notNull(),
    /** The upstream model that served the request. */
    servedModel: text('served_model'),
    stream: integer('stream', { mode: 'boolean' }).notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    estimated: integer('estimated', { mode: 'boolean' }).notNull().default(false),
    latencyMs: integer('latency_ms').notNull(),
    ttftMs: integer('ttft_ms'),
    status: integer('status').notNull(),
    errorClass: text('error_class'),
    /** Balance units charged for this request (0 when free or failed). */
    charged: real('charged').notNull().default(0),
  },
  (t) => [uniqueIndex('usage_records_request').on(t.requestId), index('usage_records_created').on(t.createdAt)],
)

export const conversations = sqliteTable(
  'conversations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    provider: text('provider').notNull(),
    credentialId: integer('credential_id').notNull(),
    /** SHA-256 of the history the client will resend next turn. */
    historyHash: text('history_hash').notNull(),
    conversationId: text('conversation_id').notNull(),
    parentId: text('parent_id'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('conversations_key').on(t.provider, t.historyHash), index('conversations_updated').on(t.updatedAt)],
)

/** End users with a token balance; a client key's user_id points here. */
export const users = sqliteTable('users', {
  userId: text('user_id').primaryKey(),
  /** Default model, used when a request asks for `auto` (or names none on /chat). */
  mode: text('mode').notNull().default(''),
  /** Total ever granted. */
  token: real('token').notNull().default(0),
  /** Spendable now: granted minus charged minus what open requests hold. */
  availToken: real('avail_token').notNull().default(0),
  /** Unix seconds. */
  updatetime: integer('updatetime').notNull(),
  /** Rate limits over all of the user's keys; null for none. */
  limits: text('limits', { mode: 'json' }).$type<LimitSpec | null>(),
})

/** Estimates reserved by requests in flight; settle deletes them, a crash leaves them to release. */
export const billingHolds = sqliteTable(
  'billing_holds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id').notNull(),
    requestId: text('request_id').notNull(),
    amount: real('amount').notNull(),
    /** The process that took the hold; at its next start it gives back what a crash left held. */
    instanceId: text('instance_id').notNull().default(''),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('billing_holds_created').on(t.createdAt), index('billing_holds_instance').on(t.instanceId)],
)

/** One per chat (later per media job): what the user asked, what they got, what it cost. */
export const records = sqliteTable(
  'records',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id'),
    /** usage_records.request_id of the request that produced it. */
    requestId: text('request_id'),
    question: text('question').notNull().default(''),
    answer: text('answer').notNull().default(''),
    /** JSON array of attachment URLs. */
    content: text('content').notNull().default(''),
    /** JSON array of the tool calls the answer made, in OpenAI's shape; null when none. */
    toolCalls: text('tool_calls', { mode: 'json' }).$type<unknown[] | null>(),
    /** The model as the client named it, and the upstream model that served it. */
    model: text('model'),
    servedModel: text('served_model'),
    /** Balance units charged. */
    token: real('token').notNull().default(0),
    isDeleted: integer('is_deleted', { mode: 'boolean' }).notNull().default(false),
    /** 1 API chat, 2 session chat, 3 image, 4 audio, 5 video. */
    recordType: integer('record_type').notNull(),
    /** The seeds' chat_id, when the request named one (their clients group records by it). */
    chatId: text('chat_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('records_user').on(t.userId, t.id), index('records_created').on(t.createdAt)],
)

/** Server-side chat sessions for /chat and /chat/stream. */
export const chatSessions = sqliteTable(
  'chat_sessions',
  {
    sessionId: text('session_id').primaryKey(),
    userId: text('user_id'),
    /** The client key that created it: sessions of keys without a user belong to that key alone. */
    keyId: integer('key_id'),
    model: text('model'),
    conversationId: text('conversation_id'),
    /** JSON array of {role, content}. */
    messages: text('messages', { mode: 'json' }).$type<{ role: 'user' | 'assistant'; content: string }[]>().notNull(),
    /** A turn is running until this time (ms); a crash cannot lock a session for longer. */
    busyUntil: integer('busy_until'),
    lastActivity: integer('last_activity').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('chat_sessions_activity').on(t.lastActivity)],
)

/** Responses of admin calls made with an Idempotency-Key, replayed when the call is retried. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of the request body: the same key with another body is refused. */
    bodyHash: text('body_hash').notNull(),
    response: text('response', { mode: 'json' }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_created').on(t.createdAt)],
)

/**
 * Responses API answers kept for `previous_response_id` and GET /v1/responses/{id}. Each row holds
 * its own turn only (the input it added and the answer), linked to the turn before it.
 */
export const storedResponses = sqliteTable(
  'stored_responses',
  {
    id: text('id').primaryKey(),
    /** Owner: the user of the key that created it, else the key alone (see core/responses-store.ts). */
    userId: text('user_id'),
    keyId: integer('key_id'),
    previousId: text('previous_id'),
    /** This turn's input items as the client sent them, with ids (GET .../input_items). */
    inputItems: text('input_items', { mode: 'json' }).$type<unknown[]>().notNull(),
    /** This turn's input as chat messages (instructions excluded), then the answer as chat messages. */
    messages: text('messages', { mode: 'json' }).$type<unknown[]>().notNull(),
    output: text('output', { mode: 'json' }).$type<unknown[]>().notNull(),
    /** The response object as the client received it. */
    response: text('response', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('stored_responses_created').on(t.createdAt)],
)

/** MCP servers (the /mcp routes); the config may hold secrets (env, headers), so it is sealed. */
export const mcpServers = sqliteTable('mcp_servers', {
  name: text('name').primaryKey(),
  /** AES-256-GCM sealed JSON of the server's config. */
  configEnc: text('config_enc').notNull(),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  updatedAt: integer('updated_at').notNull().default(now),
})

/** Settings changed at runtime (/conf/update): config paths and their JSON values, applied over config.yaml at start. */
export const runtimeSettings = sqliteTable('runtime_settings', {
  path: text('path').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
  updatedAt: integer('updated_at').notNull().default(now),
})
/**
 * Media jobs (images, video, music, transcriptions). A row is written before the upstream call and
 * updated as the upstream task moves, so a restarted relay finds unfinished tasks and polls them on.
 */
export const mediaTasks = sqliteTable(
  'media_tasks',
  {
    id: text('id').primaryKey(),
    /** Owner: the user billed, else the key alone (see core/tasks/engine.ts). */
    userId: text('user_id'),
    keyId: integer('key_id'),
    /** The request that submitted it: its usage row and record carry this id. */
    requestId: text('request_id').notNull(),
    clientRequestId: text('client_request_id'),
    kind: text('kind', { enum: ['image', 'video', 'music', 'transcription'] }).notNull(),
    /** The model as the client named it. */
    model: text('model').notNull(),
    status: text('status', { enum: ['submitting', 'queued', 'in_progress', 'completed', 'failed'] }).notNull(),
    progress: integer('progress').notNull().default(0),
    /** The provider instance, credential and upstream model that took the job. */
    provider: text('provider'),
    credentialId: integer('credential_id'),
    upstreamModel: text('upstream_model'),
    upstreamId: text('upstream_id'),
    /** What the adapter needs to poll (MediaJob.state). */
    state: text('state', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** The MediaRequest as submitted (without inline file bytes). */
    request: text('request', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** MediaOutput[] once completed. */
    outputs: text('outputs', { mode: 'json' }).$type<unknown[]>(),
    text: text('text'),
    error: text('error'),
    /** The failure kind (timeout, unavailable...) of a failed task. */
    errorKind: text('error_kind'),
    usage: text('usage', { mode: 'json' }).$type<Record<string, number>>(),
    /** The reservation taken at submit (billing_holds.id), settled once when the task ends. */
    holdId: integer('hold_id'),
    charged: real('charged').notNull().default(0),
    chatId: text('chat_id'),
    recordType: integer('record_type').notNull(),
    polls: integer('polls').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    completedAt: integer('completed_at'),
  },
  (t) => [index('media_tasks_owner').on(t.userId, t.createdAt), index('media_tasks_status').on(t.status)],
)
