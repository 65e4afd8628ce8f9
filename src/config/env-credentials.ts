// The seeds' environment variable names for upstream keys, accepted as they are. Each row turns a
// variable (or a pair, joined as "<access_key>:<secret_key>") into a credential of its provider,
// added to providers.<id>.credentials and so seeded into the pool at start like any credential
// written in config.yaml. Setting one also enables a provider that is off by default.
import { ConfigError } from './load.js'

export interface EnvCredential {
  provider: string
  /** One variable, or access key then secret key. */
  vars: readonly [string] | readonly [string, string]
  /** Only for an instance the operator declared (it has no built-in provider to enable). */
  declaredOnly?: boolean
}

/** One table for every provider; add a row to accept another variable. */
export const ENV_CREDENTIALS: readonly EnvCredential[] = [
  { provider: 'jimeng-api', vars: ['DOUBAO_JM_API_KEY', 'DOUBAO_JM_SECRET_KEY'] },
  { provider: 'kling-api', vars: ['KLING_ACCESS_KEY', 'KLING_SECRET_KEY'] },
  { provider: 'suno-api', vars: ['SUNO_API_KEY'] },
  { provider: 'gemini-api', vars: ['GEMINI_API_KEY'] },
  { provider: 'dashscope-api', vars: ['DASHSCOPE_API_KEY'] },
  { provider: 'ark-api', vars: ['DOUBAO_API_KEY'] },
  // luyala is an openai-compatible instance the operator names `luyala` (its base_url is theirs).
  { provider: 'luyala', vars: ['LUYALA_API_KEY'], declaredOnly: true },
]

type Env = Record<string, string | undefined>

/** Add the credentials the environment names to the raw config tree (before validation). */
export function applyEnvCredentials(tree: Record<string, unknown>, env: Env, table: readonly EnvCredential[] = ENV_CREDENTIALS): void {
  for (const { provider, vars, declaredOnly } of table) {
    if (declaredOnly && !(tree.providers as Record<string, unknown> | undefined)?.[provider]) continue
    const values = vars.map((name) => env[name]?.trim() ?? '')
    if (values.every((v) => !v)) continue
    const missing = vars.filter((_, i) => !values[i])
    if (missing.length) throw new ConfigError(`${vars.join(' and ')} go together: ${missing.join(', ')} is not set`)
    if (!tree.providers) tree.providers = {}
    const providers = tree.providers as Record<string, unknown>
    if (!providers[provider]) providers[provider] = {}
    const block = providers[provider] as Record<string, unknown>
    const list = Array.isArray(block.credentials) ? (block.credentials as unknown[]) : []
    const secret = values.join(':')
    if (!list.includes(secret)) block.credentials = [...list, secret]
  }
}
