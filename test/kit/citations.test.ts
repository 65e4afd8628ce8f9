import { describe, expect, it } from 'vitest'
import { CITATION_MARKERS, CitationStripper } from '../../src/kit/citations.js'

function run(parts: string[], keep = false) {
  const s = new CitationStripper(Object.values(CITATION_MARKERS), keep)
  return parts.map((p) => s.push(p)).join('') + s.flush()
}

describe('CitationStripper', () => {
  const text = '北京[citation:1]今天晴[[2]]，气温\ue3a0cite\ue3a3web_search:1#0\ue3a820度[citation:12]。'
  const clean = '北京今天晴，气温20度。'

  it('removes every marker kind from whole text', () => {
    expect(run([text])).toBe(clean)
  })

  it('removes markers split at every character boundary', () => {
    const chars = Array.from(text)
    for (let i = 1; i < chars.length; i++) {
      expect(run([chars.slice(0, i).join(''), chars.slice(i).join('')])).toBe(clean)
    }
    expect(run(chars)).toBe(clean)
  })

  it('releases text that only looked like the start of a marker', () => {
    expect(run(['see [cit', 'y] and [[x'])).toBe('see [city] and [[x')
  })

  it('removes [reference:N] markers split at every character boundary, beside [citation:N]', () => {
    const referenced = '天气[reference:1]晴[citation:2]，[reference:12]好。'
    const strip = (parts: string[], keep = false) => {
      const s = new CitationStripper([CITATION_MARKERS.citation, CITATION_MARKERS.reference], keep)
      return parts.map((p) => s.push(p)).join('') + s.flush()
    }
    const chars = Array.from(referenced)
    for (let i = 1; i < chars.length; i++) expect(strip([chars.slice(0, i).join(''), chars.slice(i).join('')])).toBe('天气晴，好。')
    expect(strip(chars)).toBe('天气晴，好。')
    expect(strip(chars, true)).toBe(referenced)
    expect(strip(['see [ref', 'erendum] and [re'])).toBe('see [referendum] and [re')
  })

  it('keeps markers when asked', () => {
    expect(run([text], true)).toBe(text)
  })
})
