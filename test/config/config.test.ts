import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { providers } from '../../providers/index.js'
import { ConfigError, buildConfig, loadConfig } from '../../src/config/load.js'
import { buildProviders } from '../../src/core/provider-registry.js'

describe('config', () => {
  it('gives every default with no config at all', () => {
    const c = buildConfig({}, {})
    expect(c.server).toMatchObject({ port: 8000, host: '0.0.0.0', route_prefix: '', body_limit: 10 * 1024 * 1024, swagger: true })
    expect(c.database.path).toBe('./data/freeway.db')
    expect(c.records.chat_max_days).toBe(-1)
  })

  it('lets environment variables override keys', () => {
    const c = buildConfig(
      { server: { port: 1 } },
      { PORT: '9001', HOST: '127.0.0.1', ROUTE_PREFIX: 'hf/', PROXY_URL: 'http://127.0.0.1:3128', SWAGGER_ENABLE: '0', BODY_LIMIT: '2kb', DEBUG: '1', CHAT_MAX_DAYS: '7' },
    )
    expect(c.server).toMatchObject({ port: 9001, host: '127.0.0.1', route_prefix: '/hf', proxy_url: 'http://127.0.0.1:3128', swagger: false, body_limit: 2048 })
    expect(c.log_level).toBe('debug')
    expect(c.records.chat_max_days).toBe(7)
  })

  it('interpolates ${VAR} and ${VAR:-default}', () => {
    const c = buildConfig({ admin: { secret: '${SECRET}' }, server: { host: '${H:-::1}' } }, { SECRET: 'from-env' })
    expect(c.admin.secret).toBe('from-env')
    expect(c.server.host).toBe('::1')
  })

  it('names the key that uses a missing variable', () => {
    expect(() => buildConfig({ providers: { x: { api_key: '${NOPE}' } } }, {})).toThrow(/providers\.x\.api_key uses \$\{NOPE\}/)
  })

  it('names the bad key in validation errors', () => {
    expect(() => buildConfig({ server: { port: 'eighty' } }, {})).toThrow(/server\.port/)
    expect(() => buildConfig({ server: { body_limit: 'lots' } }, {})).toThrow(/server\.body_limit: not a size/)
    expect(() => buildConfig({ routes: { chat: [] } }, {})).toThrow(/routes\.chat/)
  })

  it('validates provider blocks against the provider, naming the key', () => {
    const bad = (block: Record<string, unknown>) => () => buildProviders(providers, buildConfig({ providers: block }, {}))
    expect(bad({ x: { type: 'openai-compatible', base_url: 'not a url' } })).toThrow(/providers\.x\.base_url/)
    expect(bad({ x: { type: 'openai-compatible', models: 'gpt' } })).toThrow(/providers\.x\.models/)
    expect(bad({ x: { base_url: 'http://h' } })).toThrow(/providers\.x: unknown provider; set type/)
    expect(bad({ x: { type: 'nope' } })).toThrow(/providers\.x\.type: unknown provider type nope/)
  })

  it('reads CONFIG_PATH and reports invalid YAML or a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-config-'))
    const file = join(dir, 'c.yaml')
    writeFileSync(file, 'server:\n  port: 8123\nproviders:\n  # nothing yet\n')
    expect(loadConfig({ CONFIG_PATH: file }).server.port).toBe(8123)
    writeFileSync(file, 'server: [unclosed')
    expect(() => loadConfig({ CONFIG_PATH: file })).toThrow(ConfigError)
    expect(() => loadConfig({ CONFIG_PATH: join(dir, 'missing.yaml') })).toThrow(/does not exist/)
  })

  it('parses the shipped config.yaml', () => {
    expect(() => loadConfig({ CONFIG_PATH: 'config.yaml' })).not.toThrow()
  })
})
