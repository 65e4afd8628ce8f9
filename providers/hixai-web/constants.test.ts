import { describe, expect, it } from 'vitest'
import { HIX_MODELS, MODEL_SPECS, hixModel } from './constants.js'
import { searchTypeOf } from './session.js'

describe('hixai-web model table', () => {
  it('lists the 39 HixAI2Api models, 7 of them ADVANCED, with unique names and bot ids', () => {
    expect(HIX_MODELS).toHaveLength(39)
    expect(HIX_MODELS.filter((m) => m.tier === 'ADVANCED')).toHaveLength(7)
    expect(new Set(HIX_MODELS.map((m) => m.id)).size).toBe(39)
    expect(new Set(HIX_MODELS.map((m) => m.botId)).size).toBe(39)
  })

  it.each([
    ['deepseek-r1', 1, 'STANDARD', 85426, 8000],
    ['deepseek-v3', 1, 'STANDARD', 85427, 8000],
    ['gpt-4o-mini', 4, 'STANDARD', 86, 8000],
    ['gpt-4o', 30, 'STANDARD', 5, 8000],
    ['grok-2', 100, 'STANDARD', 85428, 8000],
    ['claude-3-5-sonnet', 100, 'STANDARD', 50, 8000],
    ['openai-o3-mini', 200, 'STANDARD', 85424, 8000],
    ['gemini-1-5-pro-1m', 2500, 'STANDARD', 67, 100000],
    ['claude-3-7-sonnet', 20, 'ADVANCED', 85429, 8000],
    ['openai-o1', 40, 'ADVANCED', 1181, 8000],
    ['claude-3-opus', 45, 'ADVANCED', 53, 8000],
    ['gpt4', 45, 'ADVANCED', 10, 8000],
  ])('%s costs %i %s credits on bot %i, input up to %i', (id, cost, tier, botId, maxInput) => {
    expect(hixModel(id)).toEqual({ id, cost, tier, botId, maxInput })
  })

  it('exposes cost, tier and bot id as ModelSpec.meta with the three search suffixes', () => {
    const spec = MODEL_SPECS.find((m) => m.id === 'claude-3-opus-200k')!
    expect(spec).toEqual({
      id: 'claude-3-opus-200k',
      suffixes: ['search', 'news', 'academic'],
      ownedBy: 'hixai-web',
      meta: { cost: 120, tier: 'ADVANCED', botId: 57, maxInput: 100000 },
    })
  })

  it.each([
    [['search'], 'internet'],
    [['news'], 'news'],
    [['academic'], 'academic'],
    [['fold'], undefined],
    [[], undefined],
  ])('flags %j → searchType %s', (flags, type) => {
    expect(searchTypeOf(new Set(flags))).toBe(type)
  })
})
