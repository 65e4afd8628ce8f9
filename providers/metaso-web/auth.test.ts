import { describe, expect, it } from 'vitest'
import { cookieHeader, normalizeSecret, splitSecret } from './auth.js'

const UID = '65e91a6b2bac5b600dd8526a'
const SID = '5e7acc465b114236a8d9de26c9f41846'
const SECRET = `${UID}-${SID}`

describe('metaso normalizeSecret', () => {
  it('accepts every form users paste', () => {
    const forms = [
      SECRET,
      ` ${SECRET}\n`,
      `Bearer ${SECRET}`,
      `uid=${UID}; sid=${SID}`,
      `Cookie: _ga=GA1.2; uid=${UID}; hm=1; sid=${SID}; other=x`,
      `sid=${SID}; uid=${UID}`,
      JSON.stringify({ uid: UID, sid: SID }),
      JSON.stringify(SECRET),
      JSON.stringify({ value: SECRET }),
    ]
    for (const raw of forms) expect(normalizeSecret(raw)).toBe(SECRET)
  })
})

describe('uid-sid handling', () => {
  it('splits at the first dash into the two cookies', () => {
    expect(splitSecret(SECRET)).toEqual({ uid: UID, sid: SID })
    expect(cookieHeader(SECRET)).toBe(`uid=${UID}; sid=${SID}`)
  })

  it('rejects a value that is not uid-sid as an invalid credential', () => {
    for (const bad of ['onlyuid', '-sid', 'uid-']) expect(() => splitSecret(bad)).toThrow(expect.objectContaining({ kind: 'credential_invalid' }))
  })
})
