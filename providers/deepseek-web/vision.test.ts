// deepseek-vision: image parts uploaded behind a PoW for the upload path, polled, then referenced.
import { afterEach, describe, expect, it } from 'vitest'
import type { ContentPart } from '../../src/kit/types.js'
import { chatRequest, deepseekSetUp, failure } from '../../test/fakes/deepseek-web-harness.js'
import { type FakeDeepseek, type FakeDeepseekOptions, POW_ERRORS } from '../../test/fakes/deepseek-web.js'
import { collectEvents, textFrom } from '../../test/helpers/adapter-context.js'
import type { DeepseekSettings } from './client.js'

let fake: FakeDeepseek
afterEach(() => fake?.close())

async function setUp(options: FakeDeepseekOptions = {}, settings: Partial<DeepseekSettings> = {}) {
  const made = await deepseekSetUp(options, { upload_poll_ms: 10, ...settings })
  fake = made.fake
  return made
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
const image = (bytes = PNG, mime = 'image/png'): ContentPart => ({ type: 'image_url', image_url: { url: `data:${mime};base64,${bytes.toString('base64')}` } })
const withImages = (...images: ContentPart[]) => [{ role: 'user' as const, content: [{ type: 'text' as const, text: '这是什么' }, ...images] }]
const powOf = (headers: Record<string, unknown>) => JSON.parse(Buffer.from(String(headers['x-ds-pow-response']), 'base64').toString())

describe('deepseek-web vision', () => {
  it.each(['deepseek-vision', 'deepseek-vl'])('%s uploads the image with its own PoW, polls it, then sends ref_file_ids', async (model) => {
    const { adapter, ctx } = await setUp()
    const events = await collectEvents(adapter.chat(chatRequest(model, withImages(image())), ctx))
    expect(textFrom(events)).toBe(`第1轮回答（看到1张图：image/png ${PNG.length}字节）：这是什么。`)
    expect(fake.calls.map((c) => c.path)).toEqual([
      '/api/v0/users/current',
      '/api/v0/chat_session/create',
      '/api/v0/chat/create_pow_challenge',
      '/api/v0/file/upload_file',
      '/api/v0/file/fetch_files',
      '/api/v0/file/fetch_files',
      '/api/v0/chat/create_pow_challenge',
      '/api/v0/chat/completion',
    ])
    const upload = fake.calls.find((c) => c.path === '/api/v0/file/upload_file')!.headers
    expect(powOf(upload).target_path).toBe('/api/v0/file/upload_file')
    expect(upload).toMatchObject({ 'x-file-size': String(PNG.length), 'x-model-type': 'vision', 'x-thinking-enabled': '0' })
    expect(String(upload['content-type'])).toMatch(/^multipart\/form-data; boundary=/)
    const [file] = [...fake.files.values()]
    expect(file!.filename).toMatch(/^[0-9a-f-]{36}\.png$/)
    expect(fake.completions[0]!.body).toMatchObject({ model_type: 'vision', ref_file_ids: [file!.id], prompt: '这是什么' })
  })

  it('uploads several images in order', async () => {
    const { adapter, ctx } = await setUp({ files: { pendingPolls: 0 } })
    const jpeg = Buffer.from('ffd8ffe000104a464946', 'hex')
    const events = await collectEvents(adapter.chat(chatRequest('deepseek-vision', withImages(image(), image(jpeg, 'image/jpeg'))), ctx))
    expect(textFrom(events)).toContain(`看到2张图：image/png ${PNG.length}字节，image/jpeg ${jpeg.length}字节`)
    expect(fake.completions[0]!.body.ref_file_ids).toEqual([...fake.files.keys()])
  })

  it('the fake refuses an upload without PoW, with a PoW for another path, or with a wrong size', async () => {
    const { adapter, ctx } = await setUp()
    await adapter.probe!(ctx)
    const base = { authorization: `Bearer ${ctx.state.token}`, 'x-client-version': '2.0.0', 'x-model-type': 'vision', 'x-thinking-enabled': '0' }
    const form = new FormData()
    form.set('file', new Blob([PNG], { type: 'image/png' }), 'a.png')
    const upload = async (extra: Record<string, string>) =>
      (await fetch(`${fake.url}/api/v0/file/upload_file`, { method: 'POST', headers: { ...base, ...extra }, body: form })).json()
    expect(await upload({ 'x-file-size': String(PNG.length) })).toEqual(POW_ERRORS.missing)
    const issued = await fetch(`${fake.url}/api/v0/chat/create_pow_challenge`, {
      method: 'POST',
      headers: { ...base, 'content-type': 'application/json' },
      body: JSON.stringify({ target_path: '/api/v0/chat/completion' }),
    })
    const c = ((await issued.json()) as { data: { biz_data: { challenge: Record<string, unknown> } } }).data.biz_data.challenge
    const header = Buffer.from(JSON.stringify({ ...c, answer: 0 })).toString('base64')
    expect(await upload({ 'x-file-size': String(PNG.length), 'x-ds-pow-response': header })).toEqual(POW_ERRORS.wrongTarget)
    expect(fake.files.size).toBe(0)
  })

  it('an image DeepSeek cannot process is the request’s fault', async () => {
    const { adapter, ctx } = await setUp({ files: { finalStatus: 'FAILED' } })
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-vision', withImages(image())), ctx)))
    expect(err.kind).toBe('invalid_request')
    expect(err.message).toContain('FAILED')
    expect(fake.completions).toHaveLength(0)
  })

  it('sends anyway when the file is still pending at the deadline (as a peer does)', async () => {
    const { adapter, ctx } = await setUp({ files: { pendingPolls: 1000 } }, { upload_wait_ms: 30 })
    const events = await collectEvents(adapter.chat(chatRequest('deepseek-vision', withImages(image())), ctx))
    expect(fake.completions).toHaveLength(1)
    expect(textFrom(events)).toContain('看到1张图')
  })

  it('images on a text model are refused, naming the vision model', async () => {
    const { adapter, ctx } = await setUp()
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-chat', withImages(image())), ctx)))
    expect(err.kind).toBe('not_supported')
    expect(err.message).toContain('deepseek-vision')
  })
})
