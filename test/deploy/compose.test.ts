// The deployment files (docker-compose.yml on PostgreSQL, docker-compose.mysql.yml on MariaDB):
// their shape is always checked (health checks, the stores the instances share, depends_on
// conditions, volumes, the balancer's upstream); where a compose implementation exists
// (`docker compose`, else `docker-compose`; .ci/run installs Debian's), its own `config` must
// accept them with the required variables set and refuse them with any one unset.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ComposeDocument, type Dialect, composeProblems, parseWithVariables, requiredVariables } from './compose-shape.js'

const ROOT = resolve(import.meta.dirname, '../..')
const NGINX_CONF = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8')

const FILES: { file: string; dialect: Dialect; required: string[] }[] = [
  { file: 'docker-compose.yml', dialect: 'postgres', required: ['FREEWAY_ADMIN_SECRET', 'FREEWAY_SECRET_KEY', 'POSTGRES_PASSWORD'] },
  { file: 'docker-compose.mysql.yml', dialect: 'mysql', required: ['FREEWAY_ADMIN_SECRET', 'FREEWAY_SECRET_KEY', 'MARIADB_PASSWORD'] },
]
const VALUES: Record<string, string> = {
  FREEWAY_ADMIN_SECRET: 'admin-secret-for-the-test',
  FREEWAY_SECRET_KEY: 'sealing-key-0123456789',
  POSTGRES_PASSWORD: 'pgPassword1',
  MARIADB_PASSWORD: 'mariaPassword1',
}
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8')

describe.each(FILES)('$file as written', ({ file, dialect, required }) => {
  it('requires exactly the admin secret, the sealing key and the database password', () => {
    expect(requiredVariables(read(file))).toEqual(required)
  })

  it('has health checks everywhere, Freeway instances on the shared database and Redis, waits on health, declared volumes', () => {
    const doc = parseWithVariables(read(file), VALUES)
    expect(composeProblems(doc, dialect, NGINX_CONF)).toEqual([])
    // The instances reach the stores by their compose service names, with the password given.
    const env = doc.services?.['freeway-2']?.environment as Record<string, string>
    if (dialect === 'postgres') expect(env.DATABASE_URL).toBe('postgres://freeway:pgPassword1@postgres:5432/freeway')
    else expect(env.MYSQL_DSN).toBe('freeway:mariaPassword1@tcp(mariadb:3306)/freeway')
    expect(env.REDIS_URL).toBe('redis://redis:6379')
    expect(env.BACKEND_SECRET).toBe(VALUES.FREEWAY_ADMIN_SECRET)
  })
})

describe('the shape check', () => {
  const good = () => parseWithVariables(read('docker-compose.yml'), VALUES)
  const problemsAfter = (change: (doc: ComposeDocument) => void) => {
    const doc = good()
    change(doc)
    return composeProblems(doc, 'postgres', NGINX_CONF).join('\n')
  }
  const env = (doc: ComposeDocument, name: string) => doc.services![name]!.environment as Record<string, string>

  it('finds what breaks several instances', () => {
    expect(problemsAfter((d) => delete d.services!.redis!.healthcheck)).toMatch('redis: no health check')
    expect(problemsAfter((d) => (env(d, 'freeway-1').REDIS_URL = 'redis://127.0.0.1:6379'))).toMatch('freeway-1: REDIS_URL names no service')
    expect(problemsAfter((d) => (env(d, 'freeway-2').DATABASE_URL = 'postgres://freeway:x@redis:5432/freeway'))).toMatch('is not PostgreSQL 16')
    expect(problemsAfter((d) => (d.services!['freeway-1']!.depends_on = { postgres: { condition: 'service_started' }, redis: { condition: 'service_healthy' } }))).toMatch(
      'freeway-1: depends on postgres with condition service_started',
    )
    expect(problemsAfter((d) => delete d.volumes!['postgres-data'])).toMatch('postgres: volume postgres-data is not declared')
    expect(problemsAfter((d) => (env(d, 'freeway-2').FREEWAY_INSTANCE_ID = 'freeway-1'))).toMatch('freeway-2: FREEWAY_INSTANCE_ID freeway-1 is not its own')
    expect(problemsAfter((d) => (d.services!['freeway-1']!.stop_grace_period = '10s'))).toMatch('kills Freeway before its shutdown ends')
    expect(problemsAfter((d) => (d.services!['freeway-3'] = structuredClone(d.services!['freeway-2']!)))).toMatch('freeway-3 is not in the upstream')
  })

  it('substitutes as compose does: a required variable unset stops, a default fills in', () => {
    const { FREEWAY_SECRET_KEY: _unset, ...rest } = VALUES
    expect(() => parseWithVariables(read('docker-compose.yml'), rest)).toThrow('required variable FREEWAY_SECRET_KEY is not set')
    expect(env(good(), 'freeway-1').LOG_FORMAT).toBe('json')
  })
})

/** `docker compose`, else `docker-compose`: the argv that runs one, or undefined without either. */
function composeCommand(): string[] | undefined {
  for (const argv of [['docker', 'compose'], ['docker-compose']]) {
    const r = spawnSync(argv[0]!, [...argv.slice(1), 'version'], { encoding: 'utf8', timeout: 15_000 })
    if (r.status === 0) return argv
  }
  return undefined
}

const compose = composeCommand()

describe.skipIf(!compose)(`${compose?.join(' ') ?? 'no compose implementation on this machine:'} config`, () => {
  let dir: string
  let envFile: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fw-compose-'))
    // An empty env file: an operator's .env beside the files must not set what the test leaves unset.
    envFile = join(dir, 'empty.env')
    writeFileSync(envFile, '')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const run = (file: string, vars: Record<string, string>, ...args: string[]) => {
    const env = { ...process.env, ...vars }
    for (const name of [...Object.keys(VALUES), 'FREEWAY_PORT', 'LOG_FORMAT']) if (!(name in vars)) delete env[name]
    const [command, ...prefix] = compose!
    const r = spawnSync(command!, [...prefix, '--env-file', envFile, '-f', join(ROOT, file), 'config', ...args], { env, encoding: 'utf8', timeout: 30_000 })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  describe.each(FILES)('$file', ({ file, dialect, required }) => {
    it('is accepted with the required variables set, and resolves to the same shape', () => {
      expect(run(file, VALUES, '-q').status).toBe(0)
      const resolved = run(file, VALUES)
      expect(resolved.status).toBe(0)
      expect(composeProblems(parse(resolved.stdout) as ComposeDocument, dialect, NGINX_CONF)).toEqual([])
    })

    it.each(required)('is refused without %s, naming it', (name) => {
      const { [name]: _unset, ...rest } = VALUES
      const r = run(file, rest, '-q')
      expect(r.status).not.toBe(0)
      expect(r.stderr).toContain(name)
    })
  })
})
