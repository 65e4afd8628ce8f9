// Runtime configuration (/conf/get, /conf/update, /command/get): validated, applied to the live
// relay at once, and kept across a restart.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call } from '../helpers/compat.js'

const SECRET = 'conf-admin-secret'
let fake: FakeOpenAI
let app: TestApp
let dir: string
const config = () => ({
  admin: { secret: SECRET },
  providers: { upstream: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'reasoner'] } },
  sessions: { default_model: 'fake-model' },
})

beforeAll(async () => {
  fake = await startFakeOpenAI()
  dir = mkdtempSync(join(tmpdir(), 'freeway-conf-'))
  app = await startTestApp({ config: config(), databasePath: join(dir, 'freeway.db') })
})
afterAll(async () => {
  await app.close()
  await fake.close()
  rmSync(dir, { recursive: true, force: true })
})

const admin = (method: string, path: string, body?: unknown, on = app) => call(on, method, path, body, { authorization: SECRET })

describe('/conf', () => {
  it('is behind the admin secret', async () => {
    expect((await call(app, 'GET', '/conf/get')).status).toBe(401)
    expect((await call(app, 'GET', '/command/get')).status).toBe(401)
  })

  it('shows the sections of the live configuration', async () => {
    const { json } = await admin('GET', '/conf/get')
    expect(json).toMatchObject({ code: 0, msg: 'success' })
    expect(Object.keys(json.data)).toEqual(['base', 'audio', 'llm', 'photo', 'rag', 'video'])
    expect(json.data.llm).toMatchObject({ default_model: 'fake-model', max_steps: 8, tool_timeout_ms: 30000 })
    expect(json.data.base).toMatchObject({ max_connections_per_user: 5, store_content: true })
  })

  it('refuses unknown sections and keys, bad values and start-only fields, naming them', async () => {
    expect((await admin('POST', '/conf/update', { type: 'sound', key: 'x', value: 1 })).json).toEqual({ code: 400, msg: expect.stringContaining('unknown section sound') })
    expect((await admin('POST', '/conf/update', { type: 'llm', key: 'colour', value: 1 })).json.msg).toContain('llm has no setting colour')
    expect((await admin('POST', '/conf/update', { type: 'llm', key: 'max_steps', value: -2 })).json.msg).toMatch(/^llm\.max_steps: /)
    expect((await admin('POST', '/conf/update', { type: 'base', key: 'port', value: 9 })).json.msg).toContain('restart')
    expect((await admin('POST', '/conf/update', { type: 'llm', key: 'max_steps' })).status).toBe(400)
  })

  it('applies a change at once, lists it on /command/get and keeps it after a restart', async () => {
    const res = await admin('POST', '/conf/update', { type: 'llm', key: 'default_model', value: 'reasoner' })
    expect(res.json.data).toEqual({ type: 'llm', key: 'default_model', value: 'reasoner' })
    await admin('POST', '/conf/update', { type: 'llm', key: 'max_steps', value: '4' })
    await admin('POST', '/conf/update', { type: 'base', key: 'store_content', value: 'false' })

    const answer = await app.openai().chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] })
    expect(answer.choices[0]!.message.content).toBe(FAKE_ANSWER.join(''))
    expect(fake.requests.at(-1)!.body.model).toBe('reasoner')

    const command = await admin('GET', '/command/get')
    expect(command.json.data).toBe('-store_content=false -default_model=reasoner -max_steps=4')

    await app.close()
    app = await startTestApp({ config: config(), databasePath: join(dir, 'freeway.db') })
    expect((await admin('GET', '/conf/get')).json.data.llm).toMatchObject({ default_model: 'reasoner', max_steps: 4 })
  })
})
