import { describe, expect, it } from 'vitest'
import { baseHeaders, normalizeSecret } from './auth.js'

const NAME = '__Secure-next-auth.session-token'
const TOKEN = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..abc_DEF-123'

describe('hixai-web normalizeSecret', () => {
  it.each([
    ['a bare token', TOKEN],
    ['name=value', `${NAME}=${TOKEN}`],
    ['a whole Cookie header', `Cookie: _ga=GA1.1.1; ${NAME}=${TOKEN}; theme=dark`],
    ['a URL-escaped value', `${NAME}=${encodeURIComponent(TOKEN).replace(/\./g, '%2E')}`],
    ['a JSON string', JSON.stringify(TOKEN)],
    ['a JSON object keyed by the cookie name', JSON.stringify({ [NAME]: TOKEN })],
    ['a JSON object with a cookie field', JSON.stringify({ cookie: `${NAME}=${TOKEN}` })],
    ['a cookie-export array', JSON.stringify([{ name: 'other', value: 'x' }, { name: NAME, value: TOKEN, domain: 'hix.ai' }])],
    ['surrounding whitespace', `  ${TOKEN}\n`],
  ])('accepts %s', (_form, raw) => {
    expect(normalizeSecret(raw)).toBe(`${NAME}=${TOKEN}`)
  })

  it('keeps the chunks of a split session token and cf_clearance, in order', () => {
    const raw = `${NAME}.0=part0; foo=bar; ${NAME}.1=part1; cf_clearance=cf123`
    expect(normalizeSecret(raw)).toBe(`${NAME}.0=part0; ${NAME}.1=part1; cf_clearance=cf123`)
  })

  it('sends the cookie with the browser origin, referer and a Chrome UA', () => {
    const h = baseHeaders(`${NAME}=${TOKEN}`, 'https://hix.ai')
    expect(h).toMatchObject({ cookie: `${NAME}=${TOKEN}`, origin: 'https://hix.ai', referer: 'https://hix.ai/' })
    expect(h['user-agent']).toMatch(/Macintosh.*Chrome\/\d+/)
  })
})
