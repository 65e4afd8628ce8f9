// Everything a request handler needs, built once at start (and by tests with their own config).
import type { Config } from './config/schema.js'
import { Billing } from './core/billing.js'
import { ChatService } from './core/chat/service.js'
import { EmbeddingService } from './core/embeddings.js'
import { McpHub } from './core/mcp/hub.js'
import { Assistant } from './core/agents/assistant.js'
import { RuntimeConfig, applyStoredSettings } from './core/runtime-config.js'
import { ClientKeys } from './core/client-keys.js'
import { ConversationMemory } from './core/conversations.js'
import { CredentialPool } from './core/credential-pool.js'
import { refreshAfterUse } from './core/credential-service.js'
import { type ProviderInstance, buildProviders } from './core/provider-registry.js'
import { Relay } from './core/relay.js'
import { Router } from './core/router.js'
import { Sessions } from './core/sessions.js'
import { TaskEngine } from './core/tasks/engine.js'
import { UsageRecorder } from './core/usage-recorder.js'
import { databaseTarget } from './config/database.js'
import { type Db, connectDatabase } from './db/client.js'
import { anyLimitedUser, findUser } from './db/users.repo.js'
import { anyLimitedKey } from './db/keys.repo.js'
import { RateLimiter } from './core/rate-limiter.js'
import { Metrics } from './core/metrics.js'
import { MemoryLimitStore } from './core/rate-limits.js'
import { SharedState } from './core/shared/shared-state.js'
import { SecretBox, loadOrCreateKey } from './db/secret-box.js'
import { type Logger, createLogger } from './kit/log.js'
import type { ProviderDefinition } from './kit/types.js'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'

export const VERSION = '0.1.0'

export interface Services {
  config: Config
  db: Db
  box: SecretBox
  log: Logger
  instances: Map<string, ProviderInstance>
  router: Router
  pool: CredentialPool
  relay: Relay
  recorder: UsageRecorder
  billing: Billing
  sessions: Sessions
  keys: ClientKeys
  conversations: ConversationMemory
  /** The lifecycle of chat turns, for every door. */
  chat: ChatService
  embeddings: EmbeddingService
  /** The MCP servers the agents' tools come from (start() connects them). */
  mcp: McpHub
  /** Seed 004's commands (/communicate): chat, user state, the agent loop. */
  assistant: Assistant
  /** /conf: the live settings, changed in place in `config`. */
  runtime: RuntimeConfig
  /** Media jobs (images, video, music, transcriptions): durable tasks, polled and billed once. */
  tasks: TaskEngine
  /** Rate limits per key, key and model, and user (src/core/rate-limiter.ts). */
  limiter: RateLimiter
  /** State shared with the other instances through Redis (REDIS_URL); undefined on a single instance. */
  shared: SharedState | undefined
  /** GET /metrics (src/core/metrics.ts). */
  metrics: Metrics
  /** Door requests running now, each with the controller that stops it (http/exchange.ts InFlight). */
  inflight: Set<AbortController>
  startedAt: number
}

export interface ServiceOptions {
  definitions: readonly ProviderDefinition[]
  log?: Logger
  db?: Db
}

export async function createServices(config: Config, options: ServiceOptions): Promise<Services> {
  const log = options.log ?? createLogger(config.log_level, 'freeway', undefined, config.log_format)
  const dbPath = config.database.path
  const target = databaseTarget(config.database)
  const db = options.db ?? (await connectDatabase(target))
  if (target.dialect !== 'sqlite' && !config.security.secret_key) {
    log.warn('FREEWAY_SECRET_KEY is not set: with a shared database every instance needs the same key to read the credentials')
  }
  // Before anything reads the config: what /conf/update changed outlives a restart.
  await applyStoredSettings(config, db, log)
  const keyFile = join(dbPath === ':memory:' ? './data' : dirname(dbPath), 'secret.key')
  const box = new SecretBox(loadOrCreateKey(config.security.secret_key, keyFile))
  const instances = buildProviders(options.definitions, config)
  const pool = new CredentialPool(db, box, config.pool, log.child('pool'))
  await pool.load()
  const conversations = new ConversationMemory(db)
  await conversations.load()
  const recorder = new UsageRecorder(db, log)
  // With Redis the module loads ioredis lazily (start() below), so one instance never pays for it.
  const shared = config.redis.url ? new SharedState({ ...config.redis, url: config.redis.url }, log.child('redis')) : undefined
  const limiter = new RateLimiter(shared?.limits ?? new MemoryLimitStore(), {
    defaults: () => config.limits.defaults,
    userLimits: async (userId) => (await findUser(db, userId))?.limits,
    anyStored: async () => (await anyLimitedKey(db)) || (await anyLimitedUser(db)),
  })
  // The door requests running now (the app's InFlight), counted by /metrics.
  const inflight = new Set<AbortController>()
  const metrics = new Metrics({
    credentials: () => {
      const counts = new Map<string, { provider: string; status: string; count: number }>()
      for (const name of instances.keys()) {
        for (const c of pool.entries(name)) {
          const key = `${name}\n${c.status}`
          const seen = counts.get(key)
          if (seen) seen.count++
          else counts.set(key, { provider: name, status: c.status, count: 1 })
        }
      }
      return [...counts.values()]
    },
    inflight: () => inflight.size,
    // Read at scrape time, after the engine below exists.
    tasks: () => tasks.depth,
  })
  limiter.onReject = () => metrics.rejected()
  recorder.listeners.push((row, recordType, provider) => metrics.observe(row, recordType, provider))
  // Tokens count against tpm once a request settles, from its usage row.
  recorder.listeners.push((row) => limiter.spend(row.clientKeyId ?? null, row.userId ?? null, row.model, (row.promptTokens ?? 0) + (row.completionTokens ?? 0)))
  const router = new Router(instances, config)
  const instanceId = config.server.instance_id ?? `${hostname()}:${config.server.port}`
  const billing = new Billing(db, config.billing, recorder, log.child('billing'), instanceId)
  const sessions = new Sessions(db, config.sessions)
  // Credit-aware providers refresh a credential's credit after it served a request.
  const relay = new Relay(pool, conversations, log.child('relay'), (instance, id) => refreshAfterUse(services, instance, id))
  const chat = new ChatService({
    router,
    relay,
    billing,
    sessions,
    userMode: async (userId) => (await findUser(db, userId))?.mode || undefined,
    // Read at each turn: /conf/update may change it.
    get defaultModel() {
      return config.sessions.default_model
    },
    get storeContent() {
      return config.records.store_content
    },
  })
  const mcp = new McpHub(db, box, log.child('mcp'), () => config.agents.tool_timeout_ms)
  const tasks = new TaskEngine({
    db,
    router,
    relay,
    billing,
    pool,
    instances,
    log: log.child('tasks'),
    config: config.tasks,
    reserveCompletionTokens: config.billing.reserve_completion_tokens,
    storeContent: config.records.store_content,
  })
  const services: Services = {
    config,
    db,
    box,
    log,
    instances,
    router,
    pool,
    relay,
    recorder,
    billing,
    sessions,
    keys: new ClientKeys(db),
    conversations,
    chat,
    embeddings: new EmbeddingService({
      router,
      relay,
      billing,
      get storeContent() {
        return config.records.store_content
      },
    }),
    mcp,
    runtime: new RuntimeConfig(config, db),
    tasks,
    assistant: new Assistant({
      chat,
      mcp,
      sessions,
      db,
      tasks,
      agents: () => ({ model: config.agents.model, maxSteps: config.agents.max_steps }),
      media: () => ({ photoModel: config.agents.photo_model, videoModel: config.agents.video_model, waitMs: config.tasks.wait_ms }),
      storeContent: () => config.records.store_content,
    }),
    limiter,
    shared,
    metrics,
    inflight,
    startedAt: Date.now(),
  }
  if (shared) {
    shared.attach({ db, box, pool, taskEvents: tasks.events, conversations, keys: services.keys, limiter })
    void shared.start()
  }
  return services
}
