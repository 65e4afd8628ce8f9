// Which origin each call goes to: base_url alone sends every call there (a mirror or a test fake
// needs no second setting); an explicit api_url / tongyi_url / intl_url still wins; with nothing
// configured each call keeps its official host.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { collectEvents, createAdapter, makeContext, textFrom } from '../../test/helpers/adapter-context.js'
import { fakeJwt, qwenRequest, user } from '../../test/fakes/qwen-web-harness.js'
import { type QwenFake, qwenAnswer, startQwenFake } from '../../test/fakes/qwen-web.js'
import { intlUrl, qianwenApiUrl, tongyiUrl } from './client.js'
import { INTL_URL, QIANWEN_API_URL, QIANWEN_CHAT_URL, TONGYI_URL } from './constants.js'
import qwen, { settingsSchema } from './index.js'

let fake: QwenFake
let other: QwenFake
const TOKEN = fakeJwt({ id: 'user-42', email: 'a@example.com', exp: Math.floor(Date.now() / 1000) + 3600 })
beforeAll(async () => {
  ;[fake, other] = await Promise.all([startQwenFake(), startQwenFake()])
  fake.tokens.add(TOKEN)
})
afterAll(() => Promise.all([fake.close(), other.close()]))
afterEach(() => {
  fake.calls.length = 0
  other.calls.length = 0
})

/** Settings as the registry hands them over: this provider's own block parsed, base_url beside it. */
function setup(baseUrl: string, block: Record<string, unknown>, secret: string) {
  const settings = settingsSchema.parse(block)
  const adapter = createAdapter(qwen, baseUrl, settings)
  const ctx = makeContext({ baseUrl, secret: adapter.normalizeSecret!(secret), settings })
  return { adapter, ctx }
}

const TICKET = 'tongyi_sso_ticket=ticket-valid-1; XSRF-TOKEN=xsrf-1'
const paths = (f: QwenFake) => f.calls.map((c) => c.path)

describe('qwen-web origins', () => {
  it('resolves every origin to base_url when only base_url is set', () => {
    for (const site of ['qianwen', 'tongyi', 'intl'] as const) {
      const { ctx } = setup(fake.url, { site }, site === 'intl' ? `token=${TOKEN}` : TICKET)
      expect([qianwenApiUrl(ctx), tongyiUrl(ctx), intlUrl(ctx)]).toEqual([fake.url, fake.url, fake.url])
    }
  })

  it('keeps the official hosts when nothing is configured', () => {
    const { ctx } = setup(QIANWEN_CHAT_URL, {}, TICKET)
    expect([qianwenApiUrl(ctx), tongyiUrl(ctx), intlUrl(ctx)]).toEqual([QIANWEN_API_URL, TONGYI_URL, INTL_URL])
  })

  it('lets an explicit origin win, without its trailing slash', () => {
    const { ctx } = setup(fake.url, { api_url: `${other.url}/`, tongyi_url: `${other.url}//`, intl_url: other.url }, TICKET)
    expect([qianwenApiUrl(ctx), tongyiUrl(ctx), intlUrl(ctx)]).toEqual([other.url, other.url, other.url])
  })

  it('www.qianwen.com: chat, probe and delete all reach base_url', async () => {
    const { adapter, ctx } = setup(fake.url, { site: 'qianwen' }, TICKET)
    expect(qianwenApiUrl(ctx)).toBe(fake.url) // before any call: a regression must not reach the real host
    const events = await collectEvents(adapter.chat(qwenRequest('Qwen', [user('你好')]), ctx))
    expect(textFrom(events)).toBe(qwenAnswer('你好', 1))
    expect(await adapter.probe!(ctx)).toEqual({ ok: true })
    await adapter.deleteConversation!({ conversationId: (events[0] as { id: string }).id }, ctx)
    expect(paths(fake)).toEqual(['/api/v2/chat', '/api/v1/model/list', '/api/v1/session/delete/batch'])
  })

  it('www.qianwen.com: an explicit api_url takes the model list and deletes, base_url the chat', async () => {
    const { adapter, ctx } = setup(fake.url, { site: 'qianwen', api_url: other.url }, TICKET)
    expect(await adapter.probe!(ctx)).toEqual({ ok: true })
    expect(paths(other)).toEqual(['/api/v1/model/list'])
    expect(paths(fake)).toEqual([])
  })

  it('legacy Tongyi and chat.qwen.ai answer from base_url alone', async () => {
    const tongyi = setup(fake.url, { site: 'tongyi' }, 'ticket-valid-1')
    const intl = setup(fake.url, { site: 'intl' }, `token=${TOKEN}; cna=abc`)
    expect([tongyiUrl(tongyi.ctx), intlUrl(intl.ctx)]).toEqual([fake.url, fake.url])
    expect(textFrom(await collectEvents(tongyi.adapter.chat(qwenRequest('qwen', [user('一')]), tongyi.ctx)))).toBe(qwenAnswer('一', 1))
    expect(textFrom(await collectEvents(intl.adapter.chat(qwenRequest('qwen3-max', [user('二')]), intl.ctx)))).toBe(qwenAnswer('二', 1))
    expect(paths(fake)).toEqual(expect.arrayContaining(['/dialog/conversation', '/api/v2/chats/new', '/api/v2/chat/completions']))
  })
})
