import { describe, expect, it } from 'vitest'
import { cookieHeader, parseCookieJar, readPastedCookies } from './cookie-jar.js'

describe('cookie-jar', () => {
  it('parses a header, keeping inner "=" and the first duplicate', () => {
    const jar = parseCookieJar('Cookie: a=1; b=x=y; a=2; ; c=')
    expect([...jar]).toEqual([
      ['a', '1'],
      ['b', 'x=y'],
    ])
    expect(cookieHeader(jar)).toBe('a=1; b=x=y')
  })

  it.each([
    ['a cookie header', 'a=1; b=2', { jar: new Map([['a', '1'], ['b', '2']]) }],
    ['a JSON map', '{"a":"1","n":3}', { jar: new Map([['a', '1']]) }],
    ['a cookie export', '[{"name":"a","value":"1","domain":".x"},{"name":"b","value":""}]', { jar: new Map([['a', '1']]) }],
    ['a JSON-quoted value', '"tok"', { value: 'tok' }],
    ['a bearer value', 'Bearer tok', { value: 'tok' }],
    ['a bare JWT with base64 padding', 'eyJh.eyJi.sig==', { value: 'eyJh.eyJi.sig==' }],
  ])('reads %s', (_label, raw, expected) => {
    expect(readPastedCookies(raw)).toEqual(expected)
  })
})
