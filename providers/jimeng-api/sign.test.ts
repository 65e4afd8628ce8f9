// V4 signing against Volcengine's official test vector (doc 6369/67270) and the spec's cv example.
import { describe, expect, it } from 'vitest'
import { canonicalQuery, signV4, xDateOf } from './sign.js'

const AK = 'AKLTMjI2ODVlYzI3ZGY1NGU4ZjhjYWRjMTlmNTM5OTZkYzE'
const SK = 'TnpCak5XWXpZV1U0WkRaaE5ERmxaR0ZpTmpjeVkyUXlZek0wTWpJMU1qWQ=='

describe('Volcengine V4 signing', () => {
  it('reproduces the official vector (iam ListUsers)', () => {
    const signed = signV4({
      method: 'GET',
      host: 'iam.volcengineapi.com',
      path: '/',
      query: { Action: 'ListUsers', Version: '2018-01-01', Limit: '10', Offset: '0' },
      contentType: 'application/x-www-form-urlencoded; charset=utf-8',
      body: '',
      accessKey: AK,
      secretKey: SK,
      region: 'cn-north-1',
      service: 'iam',
      xDate: '20201230T081805Z',
    })
    expect(signed.hashedCanonicalRequest).toBe('3a4d4dee07c3308a52da01bc12d7a83c3705bfa543f51648f46de880bb2a7447')
    expect(signed.scope).toBe('20201230/cn-north-1/iam/request')
    expect(signed.headers.authorization).toBe(
      `HMAC-SHA256 Credential=${AK}/20201230/cn-north-1/iam/request, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=28eeabbbd726b87002e0fe58ad8c1c768e619b06e2646f35b6ad7ed029a6d8a7`,
    )
    expect(signed.headers['x-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('reproduces the spec cv example (CVSync2AsyncSubmitTask)', () => {
    const body = '{"req_key":"jimeng_t2v_v30_1080p","prompt":"a cat","seed":-1,"frames":121,"aspect_ratio":"16:9"}'
    const signed = signV4({
      method: 'POST',
      host: 'visual.volcengineapi.com',
      path: '/',
      query: { Action: 'CVSync2AsyncSubmitTask', Version: '2022-08-31' },
      contentType: 'application/json',
      body,
      accessKey: AK,
      secretKey: SK,
      region: 'cn-north-1',
      service: 'cv',
      xDate: '20250101T000000Z',
    })
    expect(signed.headers['x-content-sha256']).toBe('791a4a95fa79d04a17d29fdf462152c98339bd86e3eaf62de1f2603a484f41fb')
    expect(signed.hashedCanonicalRequest).toBe('495f4a97129d2a6b3e944160339ce8815e5390f7ae9bbfa53ec2cdfd74504405')
    expect(signed.signature).toBe('77cc33885de235ccfff7dd7d048396d48ae49cbcd39eae0049f5ef80edf388eb')
  })

  it('sorts and RFC 3986-escapes the query; formats X-Date', () => {
    expect(canonicalQuery({ b: 'x y', a: "it's*" })).toBe('a=it%27s%2A&b=x%20y')
    expect(xDateOf(new Date('2025-01-01T00:00:00.123Z'))).toBe('20250101T000000Z')
  })
})
