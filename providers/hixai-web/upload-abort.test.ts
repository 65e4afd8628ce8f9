// Images through hix's presigned upload, and aborts that reach the upstream connection.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { textFrom } from '../../test/helpers/adapter-context.js'
import { type RunningServer, startServer } from '../../test/helpers/fake-server.js'
import { type FakeHix, startFakeHix } from '../../test/fakes/hixai-web.js'
import { collectEvents, failure, harness, request, user } from '../../test/fakes/hixai-web-harness.js'
import { replyText } from '../../test/fakes/hixai-web-replies.js'
import { uploadFilename } from './client.js'

let fake: FakeHix
beforeEach(async () => {
  fake = await startFakeHix([{ credit: 1000 }])
})
afterEach(() => fake.close())
const { adapter, context, chatPosts } = harness(() => fake)

const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
const dataUrl = (bytes: Buffer, mime = 'image/png') => `data:${mime};base64,${bytes.toString('base64')}`
const withImages = (text: string, ...urls: string[]) =>
  user([{ type: 'text', text }, ...urls.map((url) => ({ type: 'image_url' as const, image_url: { url } }))])

describe('hixai-web image upload', () => {
  it('names uploads yyyyMMddHHmmss.ext', () => {
    expect(uploadFilename('image/jpeg', new Date('2025-03-04T05:06:07Z'))).toBe('20250304050607.jpg')
    expect(uploadFilename('image/avif', new Date('2025-03-04T05:06:07Z'))).toBe('20250304050607.avif')
  })

  it('uploads a data: URL to the signed URL and sends the file URL without its query', async () => {
    const events = await collectEvents(adapter().chat(request('gpt-4o', [withImages('看图', dataUrl(png))]), context()))
    const [path, stored] = [...fake.state.uploads.entries()][0]!
    expect(stored).toEqual({ bytes: png, contentType: 'image/png' })
    expect(chatPosts()[0]!.fileUrl).toBe(fake.url + path)
    expect(textFrom(events)).toBe(replyText('gpt-4o', 1, '看图', undefined, png.length))
    const sign = fake.state.log.find((l) => l.path === '/api/upload/sign')!.body as { filename: string; type: string }
    expect(sign.filename).toMatch(/^\d{14}\.png$/)
    expect(sign.type).toBe('file')
  })

  describe('from an http URL', () => {
    let images: RunningServer
    beforeEach(async () => {
      images = await startServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'image/jpeg' })
        res.end(Buffer.from('ffd8ffe000104a464946', 'hex'))
      })
    })
    afterEach(() => images.close())

    it('downloads it and uploads only the last image of the newest message', async () => {
      const older = withImages('旧', dataUrl(Buffer.from('old')))
      const messages = [older, { role: 'assistant' as const, content: 'ok' }, withImages('新', dataUrl(png), `${images.url}/cat.jpg`)]
      await collectEvents(adapter().chat(request('gpt-4o', messages), context()))
      expect(fake.state.uploads.size).toBe(1)
      expect([...fake.state.uploads.values()][0]).toMatchObject({ contentType: 'image/jpeg' })
      expect(String(chatPosts()[0]!.fileUrl)).toMatch(/\.jpg$/)
    })
  })

  it('reports an upload the signed URL refuses (expired) before creating a chat', async () => {
    fake.state.uploadTtlMs = -1
    const err = await failure(adapter().chat(request('gpt-4o', [withImages('x', dataUrl(png))]), context()))
    expect(err.kind).toBe('protocol')
    expect(err.message).toMatch(/upload.*403.*expired/)
    expect(fake.state.chats.size).toBe(0)
  })

  it('refuses images over the size limit', async () => {
    const err = await failure(adapter().chat(request('gpt-4o', [withImages('x', dataUrl(png))]), context('tok-0', { image_max_bytes: 4 })))
    expect(err.kind).toBe('invalid_request')
  })
})

describe('hixai-web abort', () => {
  it('closes the upstream stream when the client goes away', async () => {
    fake.state.stallAfter = 4
    const controller = new AbortController()
    const ctx = context('tok-0', {}, {}, controller.signal)
    const seen: string[] = []
    const err = await failure(
      (async function* () {
        for await (const e of adapter().chat(request('deepseek-v3', [user('长一点的问题')]), ctx)) {
          seen.push(e.type)
          if (e.type === 'text') controller.abort()
          yield e
        }
      })(),
    )
    expect(seen).toContain('text')
    expect(err.name).toMatch(/Abort/)
    await expect.poll(() => fake.state.abortedStreams).toBe(1)
  })
})
