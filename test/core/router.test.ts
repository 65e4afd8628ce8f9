import { describe, expect, it } from 'vitest'
import { buildConfig } from '../../src/config/load.js'
import { buildProviders } from '../../src/core/provider-registry.js'
import { Router } from '../../src/core/router.js'
import { memoryProvider } from '../helpers/memory-provider.js'

const a = memoryProvider('a-web', [{ id: 'alpha', suffixes: ['search', 'nothinking'] }, { id: 'shared' }])
const b = memoryProvider('b-web', [{ id: 'shared' }, { id: 'beta', upstream: 'beta-v2' }], { dynamic: /^[0-9a-f]{24}$/ })

function router(raw: Record<string, unknown> = {}) {
  const config = buildConfig(raw, {})
  return new Router(buildProviders([a.def, b.def], config), config)
}

const names = (plan: ReturnType<Router['resolve']>) => plan?.candidates.map((c) => `${c.instance.name}:${c.spec.id}:${[...c.flags].join('+')}`)

describe('Router', () => {
  it('matches exact names, in registry order when several providers serve one', () => {
    expect(names(router().resolve('shared'))).toEqual(['a-web:shared:', 'b-web:shared:'])
  })

  it('peels declared suffixes and the core ones, refuses unknown ones', () => {
    const r = router()
    expect(names(r.resolve('alpha-search-nothinking'))).toEqual(['a-web:alpha:search+nothinking'])
    expect(names(r.resolve('alpha-fold'))).toEqual(['a-web:alpha:fold'])
    expect(r.resolve('alpha-fold')?.reasoning).toBe('fold')
    expect(r.resolve('alpha-bogus')).toBeUndefined()
    expect(r.resolve('beta-search')).toBeUndefined()
  })

  it('follows aliases and routes with fallbacks, honouring the route reasoning mode', () => {
    const r = router({
      aliases: { 'gpt-4o-mini': 'cheap', short: 'gpt-4o-mini' },
      routes: { cheap: ['b-web:beta', 'a-web:alpha-search'], thinker: { providers: ['a-web:alpha'], reasoning: 'fold' }, shared: ['b-web'] },
    })
    expect(names(r.resolve('short'))).toEqual(['b-web:beta:', 'a-web:alpha:search'])
    expect(r.resolve('thinker')?.reasoning).toBe('fold')
    expect(names(r.resolve('shared'))).toEqual(['b-web:shared:'])
  })

  it('asks adapters that resolve names dynamically', () => {
    const agent = '65c046a531d3fcb034918abe'
    expect(names(router().resolve(agent))).toEqual([`b-web:${agent}:`])
    expect(names(router().resolve(`${agent}-think`))).toEqual([`b-web:${agent}:think`])
  })

  it('lists models with their single-suffix variants, routes and aliases', () => {
    const ids = router({ aliases: { mini: 'alpha' } }).listModels().map((m) => m.id)
    expect(ids).toEqual(expect.arrayContaining(['alpha', 'alpha-search', 'alpha-nothinking', 'shared', 'beta', 'mini']))
  })
})
