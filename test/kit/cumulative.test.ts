import { describe, expect, it } from 'vitest'
import { CumulativeText, channelOf, cumulativeDelta } from '../../src/kit/cumulative.js'

describe('cumulativeDelta', () => {
  it('sends the growth, nothing for an older snapshot, and the new text after a rewrite', () => {
    expect(cumulativeDelta('北京', '北京今天')).toBe('今天')
    expect(cumulativeDelta('北京今天', '北京')).toBe('')
    expect(cumulativeDelta('abcX', 'abcYZ')).toBe('YZ')
    expect(cumulativeDelta('', '')).toBe('')
  })
})

describe('CumulativeText', () => {
  it('turns snapshots into deltas and ignores repeats and older snapshots', () => {
    const c = new CumulativeText()
    expect(['你', '你好', '你', '你好', '你好呀'].map((s) => c.next(s))).toEqual(['你', '好', '', '', '呀'])
    expect(c.text).toBe('你好呀')
  })

  it('counts plain deltas as sent, so a later full snapshot adds only what they missed', () => {
    const c = new CumulativeText()
    expect(c.append('Hello')).toBe('Hello')
    expect(c.append(', wor')).toBe(', wor')
    expect(c.next('Hello, world!')).toBe('ld!')
    expect(c.next('Hello, world!')).toBe('')
  })

  it('follows a rewrite, so the next growth is measured against the new text', () => {
    const c = new CumulativeText()
    c.next('abcX')
    expect(c.next('abY')).toBe('Y')
    expect(c.next('abYZ')).toBe('Z')
  })

  it('keeps one channel per key', () => {
    const channels = new Map<string, CumulativeText>()
    channelOf(channels, 'a').next('one')
    expect(channelOf(channels, 'a').next('one two')).toBe(' two')
    expect(channelOf(channels, 'b').next('one')).toBe('one')
  })
})
