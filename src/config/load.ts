// config.yaml (CONFIG_PATH) + environment → one validated Config. Errors name the bad key.
import { existsSync, readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import { mysqlDsnToUrl } from './database.js'
import { applyEnvCredentials } from './env-credentials.js'
import { type Config, configSchema } from './schema.js'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Env = Record<string, string | undefined>

/** Replace ${VAR} and ${VAR:-default} in every string; a missing variable names its key. */
export function interpolate(value: unknown, env: Env, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
      const v = env[name]
      if (v !== undefined && v !== '') return v
      if (fallback !== undefined) return fallback
      throw new ConfigError(`config key ${path || '(root)'} uses \${${name}}, which is not set`)
    })
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, path ? `${path}.${k}` : k)]),
    )
  }
  return value
}

function asConfigError<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
}

const truthy = (v: string) => ['1', 'true', 'yes', 'on'].includes(v.toLowerCase())

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj
  for (const key of path.slice(0, -1)) {
    if (typeof cur[key] !== 'object' || cur[key] === null) cur[key] = {}
    cur = cur[key] as Record<string, unknown>
  }
  cur[path.at(-1)!] = value
}

/** Environment variables win over config.yaml. */
const envMap: [string, string[], (v: string) => unknown][] = [
  ['PORT', ['server', 'port'], Number],
  ['HOST', ['server', 'host'], String],
  ['ROUTE_PREFIX', ['server', 'route_prefix'], String],
  ['PROXY_URL', ['server', 'proxy_url'], String],
  ['FREEWAY_INSTANCE_ID', ['server', 'instance_id'], String],
  ['BODY_LIMIT', ['server', 'body_limit'], String],
  ['SWAGGER_ENABLE', ['server', 'swagger'], truthy],
  ['CORS_ENABLE', ['server', 'cors'], truthy],
  ['LOG_LEVEL', ['log_level'], String],
  ['LOG_FORMAT', ['log_format'], String],
  ['DATABASE_PATH', ['database', 'path'], String],
  ['REDIS_URL', ['redis', 'url'], String],
  // MYSQL_DSN first, so that DATABASE_URL wins when both are set.
  ['MYSQL_DSN', ['database', 'url'], (v) => asConfigError(() => mysqlDsnToUrl(v))],
  ['DATABASE_URL', ['database', 'url'], String],
  ['FREEWAY_SECRET_KEY', ['security', 'secret_key'], String],
  ['ALLOW_ANONYMOUS', ['security', 'allow_anonymous'], truthy],
  ['BACKEND_API_ENABLE', ['admin', 'enabled'], truthy],
  ['BACKEND_SECRET', ['admin', 'secret'], String],
  ['ADMIN_CORS_ORIGINS', ['admin', 'cors_origins'], (v) => v.split(',').map((o) => o.trim()).filter(Boolean)],
  ['CHAT_MAX_DAYS', ['records', 'chat_max_days'], Number],
  ['TOKEN_BASE_MULTIPLIER', ['billing', 'token_base_multiplier'], Number],
]

/** One line per problem: an unknown key is named in the path, a union names its closest branch. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string {
  return issues
    .flatMap((i): string[] => {
      const at = [...prefix, ...i.path]
      if (i.code === 'unrecognized_keys') {
        const message = i.message.startsWith('Unrecognized key') ? 'unknown key' : i.message
        return i.keys.map((key) => `${[...at, key].map(String).join('.')}: ${message}`)
      }
      if (i.code === 'invalid_union') {
        // The branch that got past the value's type says what is wrong with it.
        const closest = i.errors.find((branch) => !branch.some((b) => b.code === 'invalid_type' && !b.path.length))
        if (closest) return [formatIssues(closest, at)]
      }
      return [`${at.map(String).join('.') || '(root)'}: ${i.message}`]
    })
    .join('; ')
}

/** YAML keys left empty (only comments below them) mean "not set". */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls)
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, dropNulls(v)]))
  return value
}

export function buildConfig(raw: unknown, env: Env = process.env): Config {
  const tree = (dropNulls(interpolate(raw ?? {}, env)) ?? {}) as Record<string, unknown>
  for (const [name, path, convert] of envMap) {
    const v = env[name]
    if (v !== undefined && v !== '') setPath(tree, path, convert(v))
  }
  applyEnvCredentials(tree, env)
  if (env.DEBUG && truthy(env.DEBUG) && !env.LOG_LEVEL) tree.log_level = 'debug'
  const parsed = configSchema.safeParse(tree)
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${formatIssues(parsed.error.issues)}`)
  return parsed.data
}

export function loadConfig(env: Env = process.env): Config {
  const path = env.CONFIG_PATH ?? 'config.yaml'
  let raw: unknown = {}
  if (existsSync(path)) {
    try {
      raw = parseYaml(readFileSync(path, 'utf8')) ?? {}
    } catch (err) {
      throw new ConfigError(`${path} is not valid YAML: ${(err as Error).message}`)
    }
  } else if (env.CONFIG_PATH) {
    throw new ConfigError(`CONFIG_PATH points to ${path}, which does not exist`)
  }
  return buildConfig(raw, env)
}
