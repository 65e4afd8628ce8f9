import { describe, expect, it } from 'vitest'
import { normalizeSecret, parseCredential } from './auth.js'
import {
  agentQuery,
  hailuoChatBodyPart,
  hailuoQuery,
  hailuoUnix,
  md5,
  parseKeepingIds,
  stringifyWithNumericIds,
  xSignature,
  yySign,
} from './sign.js'

// Fixed inputs; the expected hashes were computed independently (Python hashlib/urllib) from the
// spec's formulas.
const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjp7ImlkIjoiMzA2NTg3NjU0MzIxMDk4NzUyIn19.c2lnbmF0dXJl'
const userId = '306587654321098752'
const deviceId = '312345678901234567'
const sendBody =
  '{"msg_type":1,"text":"你好","chat_type":1,"attachments":[],"selected_mcp_tools":[],"backend_config":{},"sub_agent_ids":[]}'

describe('agent query and signatures', () => {
  const query = agentQuery({ realUserId: userId, deviceId, unixMs: 1714000000123, jwt })

  it('orders the query exactly as the browser does', () => {
    expect(query).toBe(
      `device_platform=web&biz_id=3&app_id=3001&version_code=22201&uuid=${userId}&device_id=${deviceId}` +
        '&os_name=Mac&browser_name=chrome&device_memory=8&cpu_core_num=11&browser_language=zh-CN&browser_platform=MacIntel' +
        `&user_id=${userId}&screen_width=1920&screen_height=1080&unix=1714000000123&lang=zh&token=${jwt}` +
        '&timezone_offset=28800&sys_language=zh&client=web',
    )
  })

  it('registration uses a random uuid and no device id', () => {
    const q = agentQuery({ uuid: 'b1c2', unixMs: 1, jwt })
    expect(q).toContain('version_code=22201&uuid=b1c2&os_name=Mac')
    expect(q).not.toContain('device_id=')
    expect(q).not.toContain('user_id=')
  })

  it('yy = md5(encodeURIComponent(path?query) + "_" + body + md5(unix) + "ooui")', () => {
    expect(yySign('/matrix/api/v1/chat/send_msg', query, sendBody, 1714000000123)).toBe('8b0268de50b39840199d3fa10619f562')
  })

  it('x-signature = md5(seconds + fixed secret + body)', () => {
    expect(xSignature(1714000000, sendBody)).toBe(md5(`1714000000I*7Cf%WZ#S&%1RlZJ&C2${sendBody}`))
    expect(xSignature(1714000000, '')).toBe(md5('1714000000I*7Cf%WZ#S&%1RlZJ&C2')) // a GET signs no body
  })
})

// updates-2026 §9, vector 2.
describe('the notes’ MiniMax test vectors', () => {
  it('x-signature for x_timestamp=1714000000, body {"msg_type":1}', () => {
    expect(xSignature(1714000000, '{"msg_type":1}')).toBe('895a7a307d292fbdcb34c3070b81cdfe')
    // What the old spec formula (the JWT in place of the secret, jwt "J") gave: no longer produced.
    expect(md5('1714000000J{"msg_type":1}')).toBe('6b09d19fb4a441d3e9b2df4d5a789521')
    expect(xSignature(1714000000, '{"msg_type":1}')).not.toBe('6b09d19fb4a441d3e9b2df4d5a789521')
  })

  it('yy for /matrix/api/v1/chat/send_msg?a=1&b=2 at ms=1714000000000', () => {
    expect(encodeURIComponent('/matrix/api/v1/chat/send_msg?a=1&b=2')).toBe('%2Fmatrix%2Fapi%2Fv1%2Fchat%2Fsend_msg%3Fa%3D1%26b%3D2')
    expect(yySign('/matrix/api/v1/chat/send_msg', 'a=1&b=2', '{"msg_type":1}', 1714000000000)).toBe('be88b091ed9fc9c3dd217edcf9a9a0bc')
  })
})

describe('legacy hailuo signatures', () => {
  const unix = hailuoUnix(1714000000999)
  const query = hailuoQuery({ userId, deviceId, unixMs: unix })

  it('takes unix in whole seconds, as Date.parse of a date string does', () => {
    expect(unix).toBe(1714000000000)
  })

  it('signs a JSON body', () => {
    expect(yySign('/v1/api/user/device/register', query, JSON.stringify({ uuid: userId }), unix)).toBe(
      '8a17ad810b8bce42652f38f5f750cab2',
    )
  })

  it('signs the multipart chat fields, ignoring line breaks in the message', () => {
    const msgContent = 'user:你好\nassistant:在\nuser:再见\nassistant:'
    const part = hailuoChatBodyPart({ characterID: '1', msgContent, chatID: '0' })
    expect(yySign('/v4/api/chat/msg', query, part, unix)).toBe('c4b9ecf0d6b1bdb58979e2f40f35844c')
    const crlf = hailuoChatBodyPart({ characterID: '1', msgContent: msgContent.replace(/\n/g, '\r\n'), chatID: '0' })
    expect(crlf).toBe(part)
  })
})

describe('ids beyond 2^53', () => {
  it('survive a round trip', () => {
    const parsed = parseKeepingIds<{ chat_id: string; msg_id: string }>('{"chat_id": 306000000000000007,"msg_id":306000000000000014}')
    expect(parsed).toEqual({ chat_id: '306000000000000007', msg_id: '306000000000000014' })
    expect(stringifyWithNumericIds({ chat_id: parsed.chat_id, text: '"chat_id":"1"' })).toBe(
      '{"chat_id":306000000000000007,"text":"\\"chat_id\\":\\"1\\""}',
    )
  })
})

describe('credentials', () => {
  it('reads realUserID+JWT, or the id from the JWT payload', () => {
    expect(parseCredential(`42+${jwt}`)).toEqual({ realUserId: '42', jwt })
    expect(parseCredential(jwt)).toEqual({ realUserId: userId, jwt })
    expect(parseCredential('opaque-token')).toEqual({ jwt: 'opaque-token' })
  })

  it('normalizes every pasted form', () => {
    expect(normalizeSecret(` 42+${jwt} `)).toBe(`42+${jwt}`)
    expect(normalizeSecret(jwt)).toBe(jwt)
    expect(normalizeSecret(`_token=${jwt}`)).toBe(jwt)
    expect(normalizeSecret(JSON.stringify(jwt))).toBe(jwt)
    const storage = { _token: jwt, user_detail_agent: JSON.stringify({ realUserID: '777', name: 'n' }) }
    expect(normalizeSecret(JSON.stringify(storage))).toBe(`777+${jwt}`)
    expect(normalizeSecret(JSON.stringify({ _token: jwt, realUserID: userId }))).toBe(jwt)
  })
})
