// Config blocks + provider definitions → live adapter instances with validated settings.
import { z } from 'zod'
import { ConfigError, formatIssues } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { HttpClient } from '../kit/http.js'
import type { CommonSettings, ProviderAdapter, ProviderDefinition } from '../kit/types.js'
import { urlSetting } from '../kit/url.js'

export interface ProviderInstance {
  name: string
  adapter: ProviderAdapter
  definition: ProviderDefinition
  settings: CommonSettings & Record<string, unknown>
  http: HttpClient
  /** Secrets listed in config.yaml, upserted into the pool at start. */
  configCredentials: string[]
}

function commonSchema(def: ProviderDefinition, name: string, configured: boolean) {
  return z.object({
    type: z.string().optional(),
    // Without trailing slashes, so adapters join paths as `${base_url}${path}`.
    base_url: urlSetting(def.defaultBaseUrl),
    enabled: z.boolean().default(configured || (def.enabledByDefault ?? true)),
    timeout_ms: z.number().int().positive().default(60_000),
    idle_timeout_ms: z.number().int().positive().default(120_000),
    concurrency: z
      .number()
      .int()
      .positive()
      .default(def.defaultConcurrency ?? (name.endsWith('-web') ? 1 : 16)),
    passthrough_tokens: z.boolean().default(false),
    multi_turn: z.boolean().default(true),
    keep_conversations: z.boolean().default(false),
    tool_emulation: z.boolean().default(def.id.endsWith('-web')),
    credentials: z.array(z.string().min(1)).default([]),
    api_key: z.string().optional(),
  })
}

/**
 * A block is read by two schemas, the common one and the provider's own, and each keeps only the
 * keys it knows; a key that neither kept is a typo or a setting of another provider.
 */
function rejectUnknownSettings(name: string, def: ProviderDefinition, block: Record<string, unknown>, parsed: Record<string, unknown>[]) {
  const unknown = Object.keys(block).filter((key) => !parsed.some((data) => key in data))
  if (!unknown.length) return
  const list = unknown.map((key) => `providers.${name}.${key}: unknown setting for ${def.id}`).join('; ')
  throw new ConfigError(`invalid configuration: ${list} (the README lists each provider's settings)`)
}

function instantiate(def: ProviderDefinition, name: string, block: Record<string, unknown>, proxyUrl?: string) {
  // Configured = a named instance, or a default-off provider (reached only when config names it).
  const common = commonSchema(def, name, name !== def.id || def.enabledByDefault === false).safeParse(block)
  if (!common.success) throw new ConfigError(`invalid configuration: ${formatIssues(common.error.issues, ['providers', name])}`)
  const own = def.settings ? def.settings.safeParse(block) : { success: true as const, data: {} }
  if (!own.success) throw new ConfigError(`invalid configuration: ${formatIssues(own.error.issues, ['providers', name])}`)
  rejectUnknownSettings(name, def, block, [common.data, own.data as Record<string, unknown>])
  const { credentials, api_key, type: _type, ...commonSettings } = common.data
  const settings = { ...commonSettings, ...(own.data as Record<string, unknown>) } as CommonSettings & Record<string, unknown>
  const http = new HttpClient({
    provider: name,
    proxyUrl,
    timeoutMs: settings.timeout_ms,
    idleTimeoutMs: settings.idle_timeout_ms,
  })
  return {
    name,
    adapter: def.create(name, settings) as ProviderAdapter,
    definition: def,
    settings,
    http,
    configCredentials: [...credentials, ...(api_key ? [api_key] : [])],
  }
}

/** Every enabled provider, in registry order, then configured instances in config order. */
export function buildProviders(defs: readonly ProviderDefinition[], config: Config): Map<string, ProviderInstance> {
  const byId = new Map(defs.map((d) => [d.id, d]))
  const out = new Map<string, ProviderInstance>()
  const blocks = config.providers
  for (const def of defs) {
    if (def.enabledByDefault === false && !blocks[def.id]) continue
    const inst = instantiate(def, def.id, blocks[def.id] ?? {}, config.server.proxy_url)
    if (inst.settings.enabled) out.set(def.id, inst)
  }
  for (const [name, block] of Object.entries(blocks)) {
    if (byId.has(name)) continue
    const type = block.type
    if (typeof type !== 'string')
      throw new ConfigError(`invalid configuration: providers.${name}: unknown provider; set type (e.g. openai-compatible)`)
    const def = byId.get(type)
    if (!def) throw new ConfigError(`invalid configuration: providers.${name}.type: unknown provider type ${type}`)
    const inst = instantiate(def, name, block, config.server.proxy_url)
    if (inst.settings.enabled) out.set(name, inst)
  }
  return out
}
