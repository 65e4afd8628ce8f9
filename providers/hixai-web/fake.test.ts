// The fake enforces hix.ai's checks, so adapter tests that pass mean the adapter satisfies them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type FakeHix, startFakeHix } from '../../test/fakes/hixai-web.js'
import { cookie } from '../../test/fakes/hixai-web-harness.js'
import { DEFAULT_USER_AGENT } from './constants.js'

let fake: FakeHix
beforeEach(async () => {
  fake = await startFakeHix([{ credit: 100 }])
})
afterEach(() => fake.close())

const browser = () => ({ cookie: cookie('tok-0'), 'user-agent': DEFAULT_USER_AGENT, origin: fake.url, 'content-type': 'application/json' })
const post = (path: string, body: unknown, headers: Record<string, string> = browser()) =>
  fetch(fake.url + path, { method: 'POST', headers, body: JSON.stringify(body) })
const create = () => post('/api/trpc/hixChat.createChat?batch=1', { 0: { json: { title: 'Untitled', botId: 5 } } })

describe('fake hix.ai checks', () => {
  it('rejects a POST without the browser Origin', async () => {
    const { origin: _, ...noOrigin } = browser()
    expect((await post('/api/trpc/hixChat.createChat?batch=1', {}, noOrigin)).status).toBe(403)
  })

  it('rejects a tRPC call that is not batched and an unknown bot', async () => {
    expect((await post('/api/trpc/hixChat.createChat', { 0: { json: { title: 'Untitled', botId: 5 } } })).status).toBe(400)
    expect((await post('/api/trpc/hixChat.createChat?batch=1', { 0: { json: { title: 'Untitled', botId: 1 } } })).status).toBe(400)
  })

  it('answers the chat with an envelope unless the client accepts an event stream', async () => {
    const chat = ((await (await create()).json()) as { result: { data: { json: { id: string } } } }[])[0]!.result.data.json.id
    const res = await post('/api/hix/chat', { chatId: chat, question: 'q', fileUrl: '' })
    expect(await res.json()).toMatchObject({ status: -1, message: 'stream expected' })
  })

  it('refuses an upload whose signature was tampered with', async () => {
    const { sign } = (await (await post('/api/upload/sign', { filename: '20250101000000.png', type: 'file' })).json()) as { sign: string }
    const forged = `${sign}00` // the signature is the last parameter
    const res = await fetch(forged, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: 'x' })
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('SignatureDoesNotMatch')
  })

  it('refuses a file URL that was never uploaded', async () => {
    const chat = ((await (await create()).json()) as { result: { data: { json: { id: string } } } }[])[0]!.result.data.json.id
    const res = await post('/api/hix/chat', { chatId: chat, question: 'q', fileUrl: `${fake.url}/s3/nothing.png` }, { ...browser(), accept: 'text/event-stream' })
    expect(await res.json()).toMatchObject({ message: 'invalid file' })
  })
})
