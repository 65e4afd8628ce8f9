// The seeds' env names for upstream keys (DASHSCOPE_API_KEY, DOUBAO_API_KEY) seed credentials.
import { describe, expect, it } from 'vitest'
import { buildConfig } from '../../src/config/load.js'

describe('env credential aliases', () => {
  it('DASHSCOPE_API_KEY and DOUBAO_API_KEY become credentials of dashscope-api and ark-api', () => {
    const c = buildConfig({}, { DASHSCOPE_API_KEY: 'sk-ds', DOUBAO_API_KEY: ' ark-key ' })
    expect(c.providers['dashscope-api']).toEqual({ credentials: ['sk-ds'] })
    expect(c.providers['ark-api']).toEqual({ credentials: ['ark-key'] })
  })

  it('join the credentials and settings config.yaml lists, once', () => {
    const raw = { providers: { 'dashscope-api': { base_url: 'http://127.0.0.1:1', credentials: ['sk-a', 'sk-ds'] } } }
    const c = buildConfig(raw, { DASHSCOPE_API_KEY: 'sk-ds' })
    expect(c.providers['dashscope-api']).toEqual({ base_url: 'http://127.0.0.1:1', credentials: ['sk-a', 'sk-ds'] })
    expect(buildConfig(raw, { DASHSCOPE_API_KEY: 'sk-b' }).providers['dashscope-api']!.credentials).toEqual(['sk-a', 'sk-ds', 'sk-b'])
  })

  it('an empty variable adds nothing and enables nothing', () => {
    expect(buildConfig({}, { DASHSCOPE_API_KEY: '', DOUBAO_API_KEY: '  ' }).providers).toEqual({})
  })
})
