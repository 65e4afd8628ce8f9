// One schema for config.yaml + environment. Provider blocks are validated again, per provider,
// once the registry knows each provider's own settings (src/core/provider-registry.ts).
import { z } from 'zod'

const bytes = z.union([z.number().int().positive(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?$/i.exec(v.trim())
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `not a size: ${v} (use e.g. 10mb)` })
    return z.NEVER
  }
  const unit = (m[2] ?? 'b').toLowerCase()[0]
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1
  return Math.round(Number(m[1]) * mult)
})

/** scheme://host[:port], as browsers send it in the Origin header. */
const origin = z.string().refine((v) => {
  try {
    return new URL(v).origin === v
  } catch {
    return false
  }
}, 'not an origin: write scheme://host[:port], without a path or a trailing slash')

const routeTarget = z.string().min(1)
const routeSchema = z.union([
  z.array(routeTarget).min(1),
  z.strictObject({
    providers: z.array(routeTarget).min(1),
    /** How reasoning reaches the client on this route. */
    reasoning: z.enum(['field', 'fold', 'hide']).default('field'),
  }),
])

export const priceSchema = z.strictObject(
  {
    prompt: z.number().nonnegative().default(0),
    completion: z.number().nonnegative().default(0),
    per_call: z.number().nonnegative().default(0),
    /** Media: each image made. */
    per_image: z.number().nonnegative().default(0),
    /** Media: each second of video (or of a song) made. */
    per_second: z.number().nonnegative().default(0),
  },
  // A misspelt price field would otherwise leave the model free.
  {
    error: (i) =>
      i.code === 'unrecognized_keys' ? 'unknown key (a price takes prompt, completion, per_call, per_image and per_second)' : undefined,
  },
)

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      port: z.coerce.number().int().min(0).max(65535).default(8000),
      host: z.string().default('0.0.0.0'),
      route_prefix: z
        .string()
        .default('')
        .transform((p) => (p ? `/${p.replace(/^\/+|\/+$/g, '')}` : '').replace(/^\/$/, '')),
      proxy_url: z.string().url().optional(),
      body_limit: bytes.default(10 * 1024 * 1024),
      /** Largest multipart upload (image edits, audio to transcribe, a video's reference image). */
      upload_limit: bytes.default(25 * 1024 * 1024),
      cors: z.boolean().default(true),
      swagger: z.boolean().default(true),
      /** Comment sent on a silent stream this often, so proxies keep the connection. */
      ping_interval_ms: z.number().int().positive().default(15_000),
      /** This process's name among instances (billing holds it leaves behind are returned at its next start). */
      instance_id: z.string().min(1).optional(),
      /** On SIGTERM, how long running answers may finish before they are ended with an error. */
      shutdown_grace_ms: z.number().int().nonnegative().default(30_000),
    })
    .prefault({}),
  log_level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** text: lines for people; json: one JSON object a line ({time, level, scope, msg, ...fields}). */
  log_format: z.enum(['text', 'json']).default('text'),
  database: z
    .strictObject({
      /** SQLite file, used when no url is set. */
      path: z.string().default('./data/freeway.db'),
      /** postgres://… or mysql://… (DATABASE_URL, MYSQL_DSN): a database shared by several instances. */
      url: z
        .string()
        .regex(/^(postgres|postgresql|mysql|mariadb):\/\//i, 'expected a postgres://, postgresql:// or mysql:// URL')
        .optional(),
    })
    .prefault({}),
  security: z
    .strictObject({
      /** Key for secrets at rest; generated into the data folder when absent. */
      secret_key: z.string().min(16).optional(),
      allow_anonymous: z.boolean().default(false),
    })
    .prefault({}),
  admin: z
    .strictObject({
      enabled: z.boolean().default(true),
      secret: z.string().min(1).optional(),
      /** Browser origins that may call the admin routes; no CORS headers for any other. */
      cors_origins: z.array(origin).default([]),
      /** Largest body on the admin routes (413 above). */
      body_limit: bytes.default(1024 * 1024),
    })
    .prefault({}),
  pool: z
    .strictObject({
      /** First cool-down after a rate limit; doubles per consecutive failure. */
      cooldown_ms: z.number().int().positive().default(60_000),
      max_cooldown_ms: z.number().int().positive().default(30 * 60_000),
      /** Transient failures in a row before a credential cools down. */
      max_transient_failures: z.number().int().positive().default(3),
      /** How often invalid credentials are re-tested and credits refreshed (0 = never). */
      probe_interval_ms: z.number().int().nonnegative().default(60 * 60_000),
      /** How long a request waits for a free slot when every credential is busy (0 = refuse at once). */
      queue_timeout_ms: z.number().int().nonnegative().default(30_000),
    })
    .prefault({}),
  records: z
    .strictObject({
      /** Days to keep usage records and conversation mappings; -1 keeps them forever. */
      chat_max_days: z.number().int().default(-1),
      store_content: z.boolean().default(true),
    })
    .prefault({}),
  billing: z
    .strictObject({
      token_base_multiplier: z.number().positive().default(1),
      require_price: z.boolean().default(false),
      prices: z.record(z.string(), priceSchema).default({}),
      /** Completion tokens reserved before a request that sets no max_tokens. */
      reserve_completion_tokens: z.number().int().nonnegative().default(1024),
      /** The shortest answer worth starting: a balance that affords less after the prompt gets 402. */
      min_completion_tokens: z.number().int().positive().default(16),
      /** A reservation older than this (a crashed request) is given back to the user. */
      hold_ttl_ms: z.number().int().positive().default(3600_000),
    })
    .prefault({}),
  sessions: z
    .strictObject({
      idle_ttl_ms: z.number().int().positive().default(24 * 3600_000),
      /** Model for /chat when the request names none and the user has no mode. */
      default_model: z.string().min(1).optional(),
      /** Longest a turn may hold a session before another turn may start. */
      turn_timeout_ms: z.number().int().positive().default(10 * 60_000),
    })
    .prefault({}),
  realtime: z
    .strictObject({
      /** WebSocket chat path → model; the paths left out keep their defaults (README, Realtime). */
      routes: z.record(z.string(), z.string().min(1)).default({}),
      /** Open sockets one user (or key, or address when anonymous) may hold; the next is refused. */
      max_connections_per_user: z.number().int().positive().default(5),
      /** The server pings each socket this often and closes one that did not answer the last ping. */
      ping_interval_ms: z.number().int().positive().default(30_000),
      /** Bytes a socket may have unsent before the relay stops reading the upstream for it. */
      max_buffered_bytes: bytes.default(1024 * 1024),
      /** The model /cozeZhsApi/dashscope/video-synthesis/ws makes videos with (a video model). */
      video_model: z.string().min(1).default('wan2.5-t2v-preview'),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** Bearer token a scraper may use for GET /metrics instead of the admin secret. */
      token: z.string().min(8).optional(),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Each client key without its own value gets these (README, Rate limits). */
      defaults: z
        .strictObject({
          rpm: z.number().int().positive().optional(),
          tpm: z.number().int().positive().optional(),
          concurrency: z.number().int().positive().optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  redis: z
    .strictObject({
      /** redis://… (REDIS_URL): pool state, slots, limits and task progress shared by every instance. */
      url: z.string().min(1).optional(),
      /** Every key and channel starts with this, so several deployments can share one Redis. */
      prefix: z.string().default('freeway:'),
      /** A Redis command slower than this counts as Redis being away (the request goes on without it). */
      command_timeout_ms: z.number().int().positive().default(500),
      /** A concurrency slot an instance stopped renewing (it crashed) is free again after this long. */
      lease_ms: z.number().int().min(100).default(60_000),
    })
    .prefault({}),
  agents: z
    .strictObject({
      /** Model of /task and /mcp when the user has no mode. */
      model: z.string().min(1).optional(),
      /** Tool rounds an agent may take before it must answer. */
      max_steps: z.number().int().positive().default(8),
      /** One MCP tool call's limit; past it the model gets a timeout error as the tool's result. */
      tool_timeout_ms: z.number().int().positive().default(30_000),
      /** /communicate's /photo model (an image model; an uploaded image makes the task an edit). */
      photo_model: z.string().min(1).default('wan2.5-t2i-preview'),
      /** /communicate's /video model. */
      video_model: z.string().min(1).default('wan2.5-t2v-preview'),
    })
    .prefault({}),
  tasks: z
    .strictObject({
      /** First wait before asking an upstream where a media task stands; grows by half each time. */
      poll_interval_ms: z.number().int().positive().default(2000),
      max_poll_interval_ms: z.number().int().positive().default(30_000),
      /** A task still unfinished this long after it was submitted fails (nothing is charged). */
      timeout_ms: z.number().int().positive().default(30 * 60_000),
      /** How long a route that answers when the job is done (images, transcriptions, the seeds' routes) waits. */
      wait_ms: z.number().int().positive().default(10 * 60_000),
      /** Seconds of video or music reserved when a request names no length (the charge is what was made). */
      default_seconds: z.number().positive().default(10),
    })
    .prefault({}),
  providers: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  routes: z.record(z.string(), routeSchema).default({}),
  aliases: z.record(z.string(), z.string()).default({}),
})

export type Config = z.infer<typeof configSchema>
export type RouteConfig = z.infer<typeof routeSchema>
