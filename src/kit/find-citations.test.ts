import { describe, expect, it } from 'vitest'
import { findCitations } from './find-citations.js'

describe('findCitations', () => {
  it('finds sources at any depth, once each, skipping non-http links', () => {
    const seen = new Set<string>()
    const value = { a: [{ b: { url: 'https://x.cn', title: 'X' } }, { link: 'http://y.cn' }, { url: 'javascript:1' }], c: { url: 'https://x.cn' } }
    expect(findCitations(value, seen)).toEqual([{ url: 'https://x.cn', title: 'X' }, { url: 'http://y.cn' }])
    expect(findCitations({ url: 'https://x.cn' }, seen)).toEqual([])
  })
})
