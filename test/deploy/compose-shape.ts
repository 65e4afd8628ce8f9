// What the deployment files must hold, checked on a parsed compose document: the files as written
// (variables substituted the way compose does) or what a compose implementation's `config` prints
// after resolving them (merge keys applied, paths absolute, volumes in the long form).
import { parse } from 'yaml'

type Environment = Record<string, string | number | null> | string[]
type VolumeMount = string | { type?: string; source?: string }

interface Service {
  image?: string
  build?: unknown
  environment?: Environment
  depends_on?: Record<string, { condition?: string }> | string[]
  healthcheck?: { test?: string | string[]; disable?: boolean }
  volumes?: VolumeMount[]
  stop_grace_period?: string
}

export interface ComposeDocument {
  services?: Record<string, Service>
  volumes?: Record<string, unknown>
}

export type Dialect = 'postgres' | 'mysql'

/** server.shutdown_grace_ms's default plus the 15 s after which main.ts exits regardless. */
const FREEWAY_SHUTDOWN_DEADLINE_S = 30 + 15

const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g

/** The variables a file refuses to go without (`${NAME:?message}`). */
export function requiredVariables(text: string): string[] {
  const names = [...text.matchAll(INTERPOLATION)].filter((m) => m[2]?.endsWith('?')).map((m) => m[1]!)
  return [...new Set(names)].sort()
}

/** Substitute `${NAME}`, `${NAME:-default}` and `${NAME:?message}` as compose does, then parse. */
export function parseWithVariables(text: string, vars: Record<string, string>): ComposeDocument {
  const substituted = text.replace(INTERPOLATION, (_all, name: string, op: string | undefined, arg: string | undefined) => {
    const value = vars[name]
    const missing = value === undefined || (value === '' && op?.startsWith(':'))
    if (!missing) return value
    if (op?.endsWith('?')) throw new Error(`required variable ${name} is not set: ${arg}`)
    return op?.endsWith('-') ? (arg ?? '') : ''
  })
  return parse(substituted, { merge: true }) as ComposeDocument
}

function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {}
  if (Array.isArray(env)) return Object.fromEntries(env.map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)]))
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]))
}

/** Named volumes a service mounts (bind mounts of files left out). */
function namedVolumes(service: Service): string[] {
  return (service.volumes ?? []).flatMap((mount) => {
    if (typeof mount !== 'string') return mount.type === 'volume' && mount.source ? [mount.source] : []
    const source = mount.split(':')[0]!
    return mount.includes(':') && !source.startsWith('.') && !source.startsWith('/') && !source.startsWith('~') ? [source] : []
  })
}

function seconds(duration: string | undefined): number {
  let total = 0
  for (const [, n, unit] of (duration ?? '').matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) total += Number(n) * { h: 3600, m: 60, s: 1, ms: 0.001 }[unit!]!
  return total
}

/** The service a connection string names, or undefined when it names none. */
function hostOf(value: string | undefined): string | undefined {
  if (!value) return undefined
  const dsn = /@tcp\(([^:)]+)(?::\d+)?\)\//.exec(value)
  if (dsn) return dsn[1]
  try {
    return new URL(value).hostname || undefined
  } catch {
    return undefined
  }
}

/** Everything wrong with a compose document for Freeway several times over; [] when nothing is. */
export function composeProblems(doc: ComposeDocument, dialect: Dialect, nginxConf: string): string[] {
  const problems: string[] = []
  const services = doc.services ?? {}
  const declaredVolumes = new Set(Object.keys(doc.volumes ?? {}))
  const usedVolumes = new Set<string>()

  for (const [name, service] of Object.entries(services)) {
    const test = service.healthcheck?.test
    if (!test || service.healthcheck?.disable || test.length === 0 || test[0] === 'NONE') problems.push(`${name}: no health check`)
    const dependsOn = service.depends_on ?? {}
    if (Array.isArray(dependsOn)) problems.push(`${name}: depends_on without conditions (${dependsOn.join(', ')})`)
    else
      for (const [dependency, { condition }] of Object.entries(dependsOn)) {
        if (!services[dependency]) problems.push(`${name}: depends on ${dependency}, which is not a service`)
        if (condition !== 'service_healthy') problems.push(`${name}: depends on ${dependency} with condition ${condition}, not service_healthy`)
      }
    for (const volume of namedVolumes(service)) {
      usedVolumes.add(volume)
      if (!declaredVolumes.has(volume)) problems.push(`${name}: volume ${volume} is not declared under volumes`)
    }
  }
  for (const volume of declaredVolumes) if (!usedVolumes.has(volume)) problems.push(`volume ${volume} is declared but no service mounts it`)

  const freeways = Object.keys(services).filter((name) => /^freeway-\d+$/.test(name))
  if (freeways.length < 2) problems.push(`${freeways.length} Freeway service(s); several instances need at least 2`)
  const dependsHealthy = (name: string, on: string) => {
    const d = services[name]!.depends_on
    return !Array.isArray(d) && d?.[on]?.condition === 'service_healthy'
  }
  const expectStore = (name: string, what: string, variable: string, images: RegExp) => {
    const host = hostOf(environmentOf(services[name]!)[variable])
    if (!host || !services[host]) return problems.push(`${name}: ${variable} names no service of this file (${host ?? 'no host'})`)
    if (!images.test(services[host].image ?? '')) problems.push(`${name}: ${variable} points at ${host}, whose image ${services[host].image} is not ${what}`)
    if (!dependsHealthy(name, host)) problems.push(`${name}: does not wait for ${host} to be healthy`)
  }
  const instanceIds = new Set<string>()
  for (const name of freeways) {
    const service = services[name]!
    const env = environmentOf(service)
    if (dialect === 'postgres') expectStore(name, 'PostgreSQL 16', 'DATABASE_URL', /^postgres:16\b/)
    else expectStore(name, 'MariaDB 11 or MySQL 8', env.MYSQL_DSN ? 'MYSQL_DSN' : 'DATABASE_URL', /^(mariadb:11|mysql:8)\b/)
    if (dialect === 'mysql' && env.DATABASE_URL && !env.DATABASE_URL.startsWith('mysql://')) problems.push(`${name}: DATABASE_URL is not a mysql:// URL`)
    expectStore(name, 'Redis 7', 'REDIS_URL', /^redis:7\b/)
    for (const variable of ['BACKEND_SECRET', 'FREEWAY_SECRET_KEY']) if (!env[variable]) problems.push(`${name}: ${variable} is empty`)
    const id = env.FREEWAY_INSTANCE_ID
    if (!id || instanceIds.has(id)) problems.push(`${name}: FREEWAY_INSTANCE_ID ${id ?? '(unset)'} is not its own`)
    if (id) instanceIds.add(id)
    if (!/node/.test(String(service.healthcheck?.test)) || !/\/health\b/.test(String(service.healthcheck?.test)))
      problems.push(`${name}: the health check does not ask /health through node`)
    if (seconds(service.stop_grace_period) <= FREEWAY_SHUTDOWN_DEADLINE_S)
      problems.push(`${name}: stop_grace_period ${service.stop_grace_period ?? '(10s default)'} kills Freeway before its shutdown ends`)
  }

  const upstream = new Set([...nginxConf.matchAll(/^\s*server\s+([\w.-]+):8000\b/gm)].map((m) => m[1]!))
  for (const name of freeways) if (!upstream.has(name)) problems.push(`nginx.conf: ${name} is not in the upstream`)
  for (const name of upstream) if (!services[name]) problems.push(`nginx.conf: upstream server ${name} is not a service`)
  return problems
}
