// The configuration refuses keys it does not know, naming each one: a typo in a price would
// otherwise leave a model free, a typo in a provider block would silently keep a default.
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { providers } from '../../providers/index.js'
import { buildConfig } from '../../src/config/load.js'
import { configSchema } from '../../src/config/schema.js'
import { buildProviders } from '../../src/core/provider-registry.js'

const load = (raw: unknown, env: Record<string, string> = {}) => buildProviders(providers, buildConfig(raw, env))

/** Every ${NAME} in a text, set to a placeholder, so examples load as their users would load them. */
const envFor = (text: string) => Object.fromEntries([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => [m[1]!, 'placeholder-value-123']))

describe('unknown keys', () => {
  it('stop the start at the top level and in every section, naming the key', () => {
    expect(() => buildConfig({ sever: { port: 1 } }, {})).toThrow(/invalid configuration: sever: unknown key/)
    const sections = Object.entries(configSchema.shape).filter(([, t]) => {
      const inner = t instanceof z.ZodPrefault || t instanceof z.ZodDefault ? t.unwrap() : t
      return inner instanceof z.ZodObject
    })
    expect(sections.map(([name]) => name)).toEqual(expect.arrayContaining(['server', 'database', 'security', 'admin', 'pool', 'records', 'billing', 'sessions']))
    for (const [name] of sections) expect(() => buildConfig({ [name]: { no_such_key: 1 } }, {})).toThrow(`${name}.no_such_key: unknown key`)
  })

  it('in a price name the field and what a price takes', () => {
    for (const field of ['promt', 'input'])
      expect(() => buildConfig({ billing: { prices: { 'gpt-4o': { [field]: 1, completion: 2 } } } }, {})).toThrow(
        `billing.prices.gpt-4o.${field}: unknown key (a price takes prompt, completion, per_call, per_image and per_second)`,
      )
    expect(buildConfig({ billing: { prices: { 'gpt-4o': { prompt: 1 } } } }, {}).billing.prices['gpt-4o']).toEqual({ prompt: 1, completion: 0, per_call: 0, per_image: 0, per_second: 0 })
  })

  it('in a route object are named, not reported as a failed union', () => {
    expect(() => buildConfig({ routes: { chat: { providers: ['a'], fallback: ['b'] } } }, {})).toThrow(/routes\.chat\.fallback: unknown key/)
  })

  it('in a provider block name the provider and the key', () => {
    expect(() => load({ providers: { 'deepseek-web': { pow_worker: 2 } } })).toThrow(/providers\.deepseek-web\.pow_worker: unknown setting for deepseek-web/)
    expect(() => load({ providers: { up: { type: 'openai-compatible', modles: ['m'] } } })).toThrow(/providers\.up\.modles: unknown setting for openai-compatible/)
    // Common settings and the provider's own are both known.
    const ok = load({ providers: { 'deepseek-web': { pow_workers: 0, concurrency: 2, credentials: ['t'] }, up: { type: 'openai-compatible', api_key: 'k', models: ['m'], headers: {} } } })
    expect(ok.get('deepseek-web')!.settings).toMatchObject({ pow_workers: 0, concurrency: 2 })
    expect(ok.get('up')!.settings).toMatchObject({ models: ['m'] })
  })
})

describe('shipped and documented configs still load', () => {
  it('config.yaml as shipped, and with every commented example switched on', () => {
    const text = readFileSync('config.yaml', 'utf8')
    expect(() => load(parseYaml(text))).not.toThrow()
    // `#   key: value` lines are examples; prose comments never start with `word:`.
    const examples = text.replace(/^([ \t]*)# ?([ \t]*[\w-]+:(?:[ \t]|$).*)$/gm, '$1$2')
    expect(examples).toContain('\n  deepseek-api:\n')
    const instances = load(parseYaml(examples), envFor(examples))
    expect([...instances.keys()]).toEqual(expect.arrayContaining(['deepseek-web', 'deepseek-api', 'openai', 'ark-api']))
  })

  it('every yaml block of the README', () => {
    const readme = readFileSync('README.md', 'utf8')
    // Except Prometheus's scrape configuration (Several instances), which is not Freeway's.
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((block) => !block.startsWith('# prometheus.yml\n'))
    expect(blocks.length).toBeGreaterThan(0)
    for (const block of blocks) expect(() => load(parseYaml(block), envFor(block))).not.toThrow()
  })
})
