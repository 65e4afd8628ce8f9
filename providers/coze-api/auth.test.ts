import { describe, expect, it } from 'vitest'
import { authHeaders, normalizeSecret } from './auth.js'

const PAT = 'pat_OYDacMzM3WyOWV3Dtj2bHRMymzxP7gvN0Hu3cGs1YaDyrAa3UqhVfcDwOmY6bn9e'

describe('coze-api normalizeSecret', () => {
  const forms: Array<[string, string]> = [
    ['bare', PAT],
    ['surrounding whitespace and newline', `  ${PAT}\n`],
    ['Bearer prefix', `Bearer ${PAT}`],
    ['whole Authorization header', `Authorization: Bearer ${PAT}`],
    ['env assignment', `COZE_API_TOKEN=${PAT}`],
    ['exported and quoted env assignment', `export COZE_API_TOKEN="${PAT}"`],
    ['JSON string with its quotes', JSON.stringify(PAT)],
    ['JSON object', JSON.stringify({ token: PAT })],
    ['JSON object holding a JSON string', JSON.stringify({ access_token: JSON.stringify(PAT) })],
    ['SDK-style config', JSON.stringify({ COZE_API_TOKEN: PAT, baseURL: 'https://api.coze.cn' })],
  ]
  for (const [label, raw] of forms) it(`accepts ${label}`, () => expect(normalizeSecret(raw)).toBe(PAT))

  it('keeps other token families (service and OAuth tokens) unchanged', () => {
    expect(normalizeSecret('sat_abcdefghijklmnop')).toBe('sat_abcdefghijklmnop')
    expect(normalizeSecret('czs_abcdefghijklmnop')).toBe('czs_abcdefghijklmnop')
  })

  it('does not cut tokens whose own characters include base64 padding', () => {
    expect(normalizeSecret('abcdEFGH==')).toBe('abcdEFGH==')
  })

  it('sends the token as a bearer header', () => {
    expect(authHeaders(PAT)).toEqual({ authorization: `Bearer ${PAT}` })
  })
})
