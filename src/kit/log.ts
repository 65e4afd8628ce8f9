// A small leveled logger. Secrets never reach it unmasked: call mask() on anything secret.
// Text lines for people, or (LOG_FORMAT=json) one JSON object a line for log collectors.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
export type LogFormat = 'text' | 'json'
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  child(scope: string): Logger
}

/** Show only the last 4 characters of a secret. */
export function mask(secret: string | null | undefined): string {
  if (!secret) return ''
  return secret.length <= 4 ? '****' : `****${secret.slice(-4)}`
}

/** Mask bearer tokens, cookies and key-like strings inside free text (upstream error bodies). */
export function maskSecretsIn(text: string): string {
  return text
    .replace(/(bearer\s+)([\w\-.~+/=]{8,})/gi, (_m, p: string, s: string) => p + mask(s))
    .replace(/\b(sk|rt|eyJ)[\w\-.]{12,}/g, (s) => mask(s))
    .replace(/((?:cookie|token|authorization)["']?\s*[:=]\s*["']?)([^"'\s;,]{8,})/gi, (_m, p: string, s: string) => p + mask(s))
}

/** {time, level, scope, msg, ...fields}; a field never replaces one of the first four. */
function jsonLine(lvl: LogLevel, scope: string, msg: string, fields: Record<string, unknown> | undefined): string {
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, scope, msg }
  if (fields) for (const name in fields) if (!(name in entry)) entry[name] = fields[name]
  // Masking the serialized line keeps it valid JSON: the patterns never match quotes.
  return maskSecretsIn(JSON.stringify(entry))
}

export function createLogger(
  level: LogLevel = 'info',
  scope = 'freeway',
  sink: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  format: LogFormat = 'text',
): Logger {
  const min = order[level]
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < min) return
    if (format === 'json') return sink(jsonLine(lvl, scope, msg, fields))
    const extra = fields ? ` ${maskSecretsIn(JSON.stringify(fields))}` : ''
    sink(`${new Date().toISOString()} ${lvl.toUpperCase()} [${scope}] ${maskSecretsIn(msg)}${extra}`)
  }
  // Scopes are fixed names (a provider, a subsystem), and every upstream call asks for its
  // provider's: one child per name, not a new logger per request.
  const children = new Map<string, Logger>()
  const child = (s: string): Logger => {
    let made = children.get(s)
    if (!made) {
      made = createLogger(level, `${scope}:${s}`, sink, format)
      children.set(s, made)
    }
    return made
  }
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child,
  }
}

export const silentLogger: Logger = createLogger('silent')
