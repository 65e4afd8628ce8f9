// The per-provider `tool_emulation` setting: on for web chats, off for official APIs, overridable.
import { describe, expect, it } from 'vitest'
import { providers } from '../../../providers/index.js'
import { buildConfig } from '../../../src/config/load.js'
import { buildProviders } from '../../../src/core/provider-registry.js'

describe('tool_emulation setting', () => {
  it('defaults on for every -web provider and off for APIs; config turns either way', () => {
    const built = buildProviders(
      providers,
      buildConfig(
        {
          providers: {
            'coze-api': { enabled: true },
            'kimi-web': { tool_emulation: false },
            upstream: { type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', models: ['m'] },
            'named-web': { type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', models: ['n'] },
            emulated: { type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', models: ['e'], tool_emulation: true },
          },
        },
        {},
      ),
    )
    const setting = (name: string) => built.get(name)?.settings.tool_emulation
    for (const web of ['deepseek-web', 'qwen-web', 'glm-web', 'doubao-web', 'minimax-web', 'metaso-web', 'hixai-web'])
      expect(setting(web), web).toBe(true)
    expect(setting('kimi-web')).toBe(false)
    expect(setting('coze-api')).toBe(false)
    expect(setting('upstream')).toBe(false)
    expect(setting('named-web')).toBe(false) // an API instance, whatever its name
    expect(setting('emulated')).toBe(true)
  })
})
