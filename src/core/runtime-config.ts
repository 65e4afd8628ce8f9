// Seed 004's runtime configuration: the live config as sections (base, audio, llm, photo, rag,
// video) of named fields, each bound to one config path. A change is validated, stored
// (runtime_settings, applied over config.yaml at the next start) and written into the live config
// object, which the services read at each use. Fields that are read once at start are shown but
// refused for change (they need a restart).
import { z } from 'zod'
import { configSchema, type Config } from '../config/schema.js'
import type { Db } from '../db/client.js'
import { listRuntimeSettings, saveRuntimeSetting } from '../db/mcp.repo.js'
import type { Logger } from '../kit/log.js'

interface Field {
  path: readonly string[]
  /** How a new value is read (strings from forms and command lines are converted). */
  schema: z.ZodType
  /** Applied without a restart; others are shown only. */
  live: boolean
}

const count = z.coerce.number().int().positive()
const number = z.coerce.number().finite()
const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')])
/** A model name; '' unsets it. */
const model = z.string().trim().transform((v) => v || undefined)
const fixed = z.never()

export const SECTIONS = ['base', 'audio', 'llm', 'photo', 'rag', 'video'] as const
export type Section = (typeof SECTIONS)[number]

export const FIELDS: Readonly<Record<Section, Readonly<Record<string, Field>>>> = {
  base: {
    port: { path: ['server', 'port'], schema: fixed, live: false },
    host: { path: ['server', 'host'], schema: fixed, live: false },
    route_prefix: { path: ['server', 'route_prefix'], schema: fixed, live: false },
    allow_anonymous: { path: ['security', 'allow_anonymous'], schema: fixed, live: false },
    store_content: { path: ['records', 'store_content'], schema: flag, live: true },
    chat_max_days: { path: ['records', 'chat_max_days'], schema: z.coerce.number().int().min(-1), live: true },
    max_connections_per_user: { path: ['realtime', 'max_connections_per_user'], schema: count, live: true },
    ws_ping_interval_ms: { path: ['realtime', 'ping_interval_ms'], schema: count, live: true },
    ws_max_buffered_bytes: { path: ['realtime', 'max_buffered_bytes'], schema: count, live: true },
  },
  llm: {
    default_model: { path: ['sessions', 'default_model'], schema: model, live: true },
    agent_model: { path: ['agents', 'model'], schema: model, live: true },
    max_steps: { path: ['agents', 'max_steps'], schema: count, live: true },
    tool_timeout_ms: { path: ['agents', 'tool_timeout_ms'], schema: count, live: true },
    token_base_multiplier: { path: ['billing', 'token_base_multiplier'], schema: number.positive(), live: true },
    reserve_completion_tokens: { path: ['billing', 'reserve_completion_tokens'], schema: z.coerce.number().int().nonnegative(), live: true },
    min_completion_tokens: { path: ['billing', 'min_completion_tokens'], schema: count, live: true },
  },
  // The audio and retrieval sections have no settings in this relay yet.
  audio: {},
  photo: {
    communicate_model: { path: ['agents', 'photo_model'], schema: z.string().trim().min(1), live: true },
  },
  rag: {},
  video: {
    socket_model: { path: ['realtime', 'video_model'], schema: z.string().trim().min(1), live: true },
    communicate_model: { path: ['agents', 'video_model'], schema: z.string().trim().min(1), live: true },
  },
}

/** The schema configSchema gives the value at a config path (each section is an object behind prefault), or null. */
function configValueSchema(path: readonly string[]): z.ZodType {
  let schema: z.ZodType = configSchema
  for (const key of path) schema = ((schema instanceof z.ZodPrefault ? schema.unwrap() : schema) as z.ZodObject).shape[key]!
  // An unset optional value is shown as null, never left out.
  return (schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema).nullable()
}

/** What sections() answers: each section's fields, valued as the live config holds them. */
export const sectionsSchema = z.strictObject(
  Object.fromEntries(SECTIONS.map((type) => [type, z.strictObject(Object.fromEntries(Object.entries(FIELDS[type]).map(([key, f]) => [key, configValueSchema(f.path)])))])),
)

export class RuntimeConfigError extends Error {}

const read = (config: Config, path: readonly string[]): unknown => path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], config)

function write(config: Config, path: readonly string[], value: unknown): void {
  const parent = read(config, path.slice(0, -1)) as Record<string, unknown>
  if (value === undefined) delete parent[path.at(-1)!]
  else parent[path.at(-1)!] = value
}

function fieldOf(type: string, key: string): Field {
  if (!(SECTIONS as readonly string[]).includes(type)) throw new RuntimeConfigError(`type: unknown section ${type} (one of ${SECTIONS.join(', ')})`)
  const field = FIELDS[type as Section][key]
  if (!field) throw new RuntimeConfigError(`key: ${type} has no setting ${key}${Object.keys(FIELDS[type as Section]).length ? ` (it has ${Object.keys(FIELDS[type as Section]).join(', ')})` : ''}`)
  return field
}

export class RuntimeConfig {
  private readonly defaults = configSchema.parse({})

  constructor(
    private readonly config: Config,
    private readonly db: Db,
  ) {}

  /** Every section with its fields' current values. */
  sections(): Record<Section, Record<string, unknown>> {
    const out = {} as Record<Section, Record<string, unknown>>
    for (const type of SECTIONS) out[type] = Object.fromEntries(Object.entries(FIELDS[type]).map(([key, f]) => [key, read(this.config, f.path) ?? null]))
    return out
  }

  /** Validate, store and apply one field; returns the value as applied. */
  async update(type: string, key: string, raw: unknown): Promise<unknown> {
    const field = fieldOf(type, key)
    if (!field.live) throw new RuntimeConfigError(`${type}.${key} is read at start; change it in config.yaml and restart`)
    const parsed = field.schema.safeParse(raw)
    if (!parsed.success) throw new RuntimeConfigError(`${type}.${key}: ${parsed.error.issues[0]!.message}`)
    await saveRuntimeSetting(this.db, field.path.join('.'), parsed.data ?? null)
    write(this.config, field.path, parsed.data)
    return parsed.data ?? null
  }

  /** The settings that differ from their defaults, as `-key=value` arguments. */
  commandLine(): string {
    const args: string[] = []
    for (const type of SECTIONS) {
      for (const [key, f] of Object.entries(FIELDS[type])) {
        const value = read(this.config, f.path)
        if (value === undefined || JSON.stringify(value) === JSON.stringify(read(this.defaults, f.path))) continue
        const text = String(value)
        args.push(`-${key}=${/[\s"']/.test(text) ? JSON.stringify(text) : text}`)
      }
    }
    return args.join(' ')
  }
}

/** At start: the stored runtime changes over config.yaml (a value no longer valid is skipped). */
export async function applyStoredSettings(config: Config, db: Db, log: Logger): Promise<void> {
  const byPath = new Map(SECTIONS.flatMap((type) => Object.values(FIELDS[type]).map((f) => [f.path.join('.'), f] as const)))
  for (const { path, value } of await listRuntimeSettings(db)) {
    const field = byPath.get(path)
    const parsed = field?.live ? field.schema.safeParse(value ?? '') : undefined
    if (!field || !parsed?.success) {
      log.warn(`runtime setting ${path} is not applied: it is unknown or no longer valid`)
      continue
    }
    write(config, field.path, parsed.data)
  }
}
