// /cozeZhsApi/stock/analyse: the configured model's JSON answer validated before billing; a
// malformed answer is a 500 naming the fault, and nothing is charged.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { providers } from '../../providers/index.js'
import { textOf } from '../../src/kit/messages.js'
import { type DeltaEvent, defineProvider } from '../../src/kit/types.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call } from '../helpers/compat.js'

const SECRET = 'admin-secret-for-tests'
/** What the in-process analyst answers next. */
let answer = ''
let asked = ''
const analyst = defineProvider<Record<string, unknown>>({
  id: 'analyst',
  defaultBaseUrl: 'http://127.0.0.1:9',
  create: (name) => ({
    id: name,
    credentialKind: 'token' as const,
    models: [{ id: 'analyst-1' }],
    async *chat(req): AsyncGenerator<DeltaEvent> {
      asked = textOf(req.messages.at(-1)?.content ?? '')
      yield { type: 'text', text: answer }
      yield { type: 'finish', reason: 'stop' }
    },
  }),
})
let app: TestApp

beforeAll(async () => {
  app = await startTestApp({
    definitions: [...providers, analyst],
    config: {
      admin: { secret: SECRET },
      providers: { analyst: { credentials: ['tok-1'] } },
      routes: { 'stock-analyst': ['analyst:analyst-1'] },
      billing: { prices: { 'stock-analyst': { prompt: 0, completion: 0, per_call: 3 }, 'analyst-1': { prompt: 0, completion: 0, per_call: 3 } } },
    },
  })
  await call(app, 'POST', '/user/token/add', { user_id: 'sue', token: 10 }, { authorization: SECRET })
})
afterAll(() => app?.close())

const avail = async () => (await call(app, 'GET', '/user/list?user_id=sue', undefined, { authorization: SECRET })).json.data.list[0].avail_token
const analyse = () => call(app, 'POST', '/cozeZhsApi/stock/analyse', { user_uuid: 'sue', stock_code: '600519', analysis_type: 'technical' }, { authorization: SECRET })
const result = { stock_code: '600519', analysis_type: 'technical', recommendation: 'hold', risk_level: 'medium', target_price: 1688.5, analysis_date: '2026-12-04' }

it('answers the validated analysis (a ```json fence allowed) and bills the user once', async () => {
  answer = `\`\`\`json\n${JSON.stringify(result)}\n\`\`\``
  const res = await analyse()
  expect(res.json).toEqual({ code: 0, msg: 'success', data: { analysis_result: result } })
  expect(asked).toContain('stock_code: 600519')
  expect(await avail()).toBe(7)
})

it('a malformed answer is a 500 naming the fault, and costs nothing', async () => {
  answer = JSON.stringify({ ...result, target_price: 'high' })
  const bad = await analyse()
  expect(bad.status).toBe(500)
  expect(bad.json).toEqual({ code: 500, msg: expect.stringContaining('target_price') })
  answer = 'I think you should buy.'
  expect((await analyse()).json.msg).toContain('did not answer with JSON')
  expect(await avail()).toBe(7)
  expect((await call(app, 'POST', '/cozeZhsApi/stock/analyse', { user_uuid: 'sue' }, { authorization: SECRET })).json.code).toBe(400)
})
