import { describe, expect, it } from 'vitest'
import { buildConfig } from '../../src/config/load.js'
import { buildProviders } from '../../src/core/provider-registry.js'
import { urlSetting, withoutTrailingSlash } from '../../src/kit/url.js'
import { providers } from '../../providers/index.js'

describe('URL settings', () => {
  it('drop trailing slashes, keep paths', () => {
    expect(withoutTrailingSlash('https://api.example.com/v1//')).toBe('https://api.example.com/v1')
    expect(withoutTrailingSlash('https://api.example.com')).toBe('https://api.example.com')
  })

  it('are validated, normalised, and default to a normalised fallback', () => {
    const schema = urlSetting('https://fallback.example/')
    expect(schema.parse('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080')
    expect(schema.parse(undefined)).toBe('https://fallback.example')
    expect(schema.safeParse('not a url').success).toBe(false)
  })
})

describe('the common provider schema', () => {
  it('hands every adapter a base_url without trailing slashes', () => {
    const config = buildConfig(
      {
        providers: {
          'deepseek-web': { base_url: 'http://127.0.0.1:9000/' },
          mine: { type: 'openai-compatible', base_url: 'http://127.0.0.1:9001/v1/', models: ['m'] },
        },
      },
      {},
    )
    const built = buildProviders(providers, config)
    expect(built.get('deepseek-web')!.settings.base_url).toBe('http://127.0.0.1:9000')
    expect(built.get('mine')!.settings.base_url).toBe('http://127.0.0.1:9001/v1')
    expect(built.get('kimi-web')!.settings.base_url).toBe('https://www.kimi.com')
  })

  it('normalises the other URL settings of the providers that have them', () => {
    const config = buildConfig(
      {
        providers: {
          'kimi-web': { legacy_base_url: 'http://127.0.0.1:9002/' },
          'minimax-web': { hailuo_url: 'http://127.0.0.1:9003//' },
          'qwen-web': { api_url: 'http://127.0.0.1:9004/', tongyi_url: 'http://127.0.0.1:9005/', intl_url: 'http://127.0.0.1:9006/' },
        },
      },
      {},
    )
    const built = buildProviders(providers, config)
    expect(built.get('kimi-web')!.settings).toMatchObject({ legacy_base_url: 'http://127.0.0.1:9002' })
    expect(built.get('minimax-web')!.settings).toMatchObject({ hailuo_url: 'http://127.0.0.1:9003' })
    expect(built.get('qwen-web')!.settings).toMatchObject({
      api_url: 'http://127.0.0.1:9004',
      tongyi_url: 'http://127.0.0.1:9005',
      intl_url: 'http://127.0.0.1:9006',
    })
  })
})
