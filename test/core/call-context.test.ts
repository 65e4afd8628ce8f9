import { describe, expect, it } from 'vitest'
import { callContext } from '../../src/core/call-context.js'
import type { Lease } from '../../src/core/credential-pool.js'
import type { ProviderInstance } from '../../src/core/provider-registry.js'
import { silentLogger } from '../../src/kit/log.js'

describe('callContext', () => {
  it('shows the adapter what it saved earlier in the same call', () => {
    const saved: Record<string, unknown>[] = []
    const lease = {
      view: { id: 1, secret: 's', state: { accessToken: 'old', keep: 1 } },
      saveState: (patch: Record<string, unknown>) => saved.push(patch),
    } as unknown as Lease
    const instance = { name: 'x', http: {}, settings: {} } as unknown as ProviderInstance
    const ctx = callContext(instance, lease, new AbortController().signal, silentLogger)
    ctx.saveState({ accessToken: null })
    expect(ctx.credential.state).toEqual({ accessToken: null, keep: 1 })
    expect(saved).toEqual([{ accessToken: null }])
  })
})
