// The seeds' variable names for upstream keys become credentials of their providers.
import { afterEach, describe, expect, it } from 'vitest'
import { buildConfig } from '../../src/config/load.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let app: TestApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

describe('env credentials', () => {
  it('one variable or an access/secret pair lands in providers.<id>.credentials', () => {
    const config = buildConfig({ providers: { 'gemini-api': { credentials: ['from-yaml'] } } }, {
      GEMINI_API_KEY: 'AIza-env',
      KLING_ACCESS_KEY: 'ak',
      KLING_SECRET_KEY: 'sk',
      DOUBAO_JM_API_KEY: 'AKLT1',
      DOUBAO_JM_SECRET_KEY: 'c2Vj',
      SUNO_API_KEY: 'suno-token',
    })
    expect(config.providers['gemini-api']!.credentials).toEqual(['from-yaml', 'AIza-env'])
    expect(config.providers['kling-api']!.credentials).toEqual(['ak:sk'])
    expect(config.providers['jimeng-api']!.credentials).toEqual(['AKLT1:c2Vj'])
    expect(config.providers['suno-api']!.credentials).toEqual(['suno-token'])
  })

  it('DASHSCOPE_API_KEY and DOUBAO_API_KEY become credentials of dashscope-api and ark-api, trimmed, once', () => {
    const c = buildConfig({}, { DASHSCOPE_API_KEY: 'sk-ds', DOUBAO_API_KEY: ' ark-key ' })
    expect(c.providers['dashscope-api']).toEqual({ credentials: ['sk-ds'] })
    expect(c.providers['ark-api']).toEqual({ credentials: ['ark-key'] })
    const raw = { providers: { 'dashscope-api': { base_url: 'http://127.0.0.1:1', credentials: ['sk-a', 'sk-ds'] } } }
    expect(buildConfig(raw, { DASHSCOPE_API_KEY: 'sk-ds' }).providers['dashscope-api']).toEqual({ base_url: 'http://127.0.0.1:1', credentials: ['sk-a', 'sk-ds'] })
    expect(buildConfig({}, { DASHSCOPE_API_KEY: '', DOUBAO_API_KEY: '  ' }).providers).toEqual({})
  })

  it('LUYALA_API_KEY joins the luyala instance the operator declared, and adds nothing without one', () => {
    const raw = { providers: { luyala: { type: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1', models: ['luyala-chat'] } } }
    expect(buildConfig(raw, { LUYALA_API_KEY: 'ly-key' }).providers.luyala!.credentials).toEqual(['ly-key'])
    expect(buildConfig({}, { LUYALA_API_KEY: 'ly-key' }).providers).toEqual({})
  })

  it('half a pair is a configuration error naming the missing variable; nothing set adds nothing', () => {
    expect(() => buildConfig({}, { KLING_ACCESS_KEY: 'ak' })).toThrow(/KLING_SECRET_KEY is not set/)
    expect(buildConfig({}, {}).providers).toEqual({})
  })

  it('the relay seeds them into the pool at start and enables the provider', async () => {
    app = await startTestApp({ env: { DOUBAO_JM_API_KEY: 'AKLT1', DOUBAO_JM_SECRET_KEY: 'c2Vj' } })
    expect(app.services.instances.has('jimeng-api')).toBe(true)
    expect(app.services.pool.store.all('jimeng-api').map((c) => c.secret)).toEqual(['AKLT1:c2Vj'])
  })
})
