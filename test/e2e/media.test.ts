// The OpenAI media surface through the real openai SDK: images, edits, transcriptions and video
// tasks against a fake OpenAI-compatible media upstream, with balances, records and ownership.
import OpenAI, { toFile } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findUsageByRequest } from '../../src/db/usage.repo.js'
import { FAKE_MP4, FAKE_PNG, FakeOpenAIMedia } from '../fakes/openai-media.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor, waitFor } from '../helpers/compat.js'
import { mediaPrices, mediaProvider } from '../helpers/media.js'

const SECRET = 'admin-secret-for-tests'
let fake: FakeOpenAIMedia
let app: TestApp

beforeAll(async () => {
  fake = await new FakeOpenAIMedia().start()
  app = await startTestApp({
    config: {
      admin: { secret: SECRET },
      providers: { media: mediaProvider(fake.url) },
      billing: { prices: mediaPrices, token_base_multiplier: 2 },
      tasks: { poll_interval_ms: 10, max_poll_interval_ms: 40 },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const admin = (method: string, path: string, body?: unknown) => call(app, method, path, body, { authorization: SECRET })
const grant = (user_id: string, token: number) => admin('POST', '/user/token/add', { user_id, token })
const avail = async (id: string) => (await admin('GET', `/user/list?user_id=${id}`)).json.data.list.find((u: any) => u.user_id === id).avail_token
const records = async (id: string) => (await admin('GET', `/record/list?user_id=${id}&page=1&pageSize=50`)).json.data
async function userClient(user: string, tokens: number): Promise<{ client: OpenAI; key: string }> {
  const key = await keyFor(app, user, {}, SECRET)
  await grant(user, tokens)
  return { client: app.openai(key), key }
}

describe('images', () => {
  it('generates URLs and base64, charging per_image × n × multiplier with an image record', async () => {
    const { client } = await userClient('ivy', 100)
    const res = await client.images.generate({ model: 'img-1', prompt: 'a red fox', n: 2, size: '1024x1024' })
    expect(res.data).toHaveLength(2)
    expect(res.data![0]!.url).toMatch(new RegExp(`^${fake.url}/files/img-`))
    expect(await avail('ivy')).toBe(92) // 2 images × 2 × 2
    const b64 = await client.images.generate({ model: 'img-1', prompt: 'a fox', response_format: 'b64_json' })
    expect(Buffer.from(b64.data![0]!.b64_json!, 'base64')).toEqual(FAKE_PNG)
    expect(await avail('ivy')).toBe(88)
    const list = await records('ivy')
    expect(list.total).toBe(2)
    expect(list.list[1]).toMatchObject({ record_type: 3, question: 'a red fox', token: 8, model: 'img-1' })
    expect(JSON.parse(list.list[1].content)).toHaveLength(2)
    expect(await findUsageByRequest(app.services.db, list.list[1].request_id)).toMatchObject({ charged: 8, status: 200 })
  })

  it('edits uploaded images (image[] and mask) and images given by URL in JSON', async () => {
    const { client, key } = await userClient('eve', 100)
    const image = await toFile(FAKE_PNG, 'cat.png', { type: 'image/png' })
    const mask = await toFile(FAKE_PNG, 'mask.png', { type: 'image/png' })
    const res = await client.images.edit({ model: 'img-1', image: [image, image], mask, prompt: 'add a hat' })
    expect(res.data).toHaveLength(1)
    const sent = fake.requests.at(-1)!
    expect(sent.path).toBe('/v1/images/edits')
    expect(sent.fields['image[]']).toEqual([expect.objectContaining({ size: FAKE_PNG.length }), expect.objectContaining({ size: FAKE_PNG.length })])
    expect(sent.fields.mask).toMatchObject({ size: FAKE_PNG.length })
    const json = await fetch(`${app.baseURL}/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'img-1', prompt: 'blue', images: [{ image_url: `${fake.url}/files/in.png` }] }),
    })
    expect(json.status).toBe(200)
    expect(fake.requests.at(-1)!.fields['image[]']).toMatchObject({ file: 'in.png', size: FAKE_PNG.length })
    expect(await avail('eve')).toBe(92)
  })

  it('an upstream refusal is a 400 that costs nothing and leaves no record', async () => {
    const { client } = await userClient('fay', 10)
    const err = await client.images.generate({ model: 'img-fail', prompt: 'x' }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(await avail('fay')).toBe(10)
    expect((await records('fay')).total).toBe(0)
  })

  it('refuses a model of another kind', async () => {
    const { client } = await userClient('kim', 0)
    const err = await client.images.generate({ model: 'chatty', prompt: 'x' }).catch((e) => e)
    expect(err.status).toBe(400)
    expect(err.error.message).toMatch(/chat model/)
  })
})

describe('transcriptions', () => {
  it('transcribes an upload (json and text) and a file_url, billed by tokens', async () => {
    // The reservation covers billing.reserve_completion_tokens (1024) of output; the charge is what was used.
    const { client, key } = await userClient('tia', 5000)
    const file = await toFile(Buffer.alloc(300, 1), 'talk.mp3', { type: 'audio/mpeg' })
    const res = await client.audio.transcriptions.create({ model: 'whisper-x', file, language: 'en', prompt: 'cats' })
    expect(res.text).toBe('heard 300 bytes in en about cats')
    const plain = await client.audio.transcriptions.create({ model: 'whisper-x', file, response_format: 'text' })
    expect(plain).toBe('heard 300 bytes')
    const viaUrl = await fetch(`${app.baseURL}/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'whisper-x', file_url: `${fake.url}/files/x.png`, response_format: 'verbose_json' }),
    })
    expect(await viaUrl.json()).toMatchObject({ text: `heard ${FAKE_PNG.length} bytes`, task: 'transcribe' })
    // (20 + 5 tokens) × 1 per token × multiplier 2, three times.
    expect(await avail('tia')).toBe(5000 - 3 * 50)
    expect((await records('tia')).list[0]).toMatchObject({ record_type: 4, token: 50 })
  })
})

describe('video tasks', () => {
  it('create → queued, follow to completed, content redirects to the result, list and ownership', async () => {
    const { client } = await userClient('vic', 100)
    const created = await client.videos.create({ model: 'vid-1', prompt: 'waves', seconds: '8', size: '1280x720' })
    expect(created).toMatchObject({ object: 'video', status: 'queued', progress: 0, model: 'vid-1', seconds: '8' })
    expect(await avail('vic')).toBe(100 - 8 * 1.5 * 2) // reserved while it runs
    let video = created
    await waitFor(async () => {
      video = await client.videos.retrieve(created.id)
      return video.status === 'completed'
    })
    expect(video).toMatchObject({ status: 'completed', progress: 100, error: null })
    expect(await avail('vic')).toBe(76)
    const content = await client.videos.downloadContent(created.id)
    expect(Buffer.from(await content.arrayBuffer())).toEqual(FAKE_MP4)
    const page = await client.videos.list()
    expect(page.data.map((v) => v.id)).toEqual([created.id])
    expect((await records('vic')).list[0]).toMatchObject({ record_type: 5, token: 24, question: 'waves' })

    const other = (await userClient('oscar', 0)).client
    const err = await other.videos.retrieve(created.id).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect((await other.videos.list()).data).toEqual([])
  })

  it('/metrics shows the tasks this instance has not finished (freeway_task_queue_depth)', async () => {
    const depth = async () => {
      const text = await (await fetch(`${app.url}/metrics`, { headers: { authorization: SECRET } })).text()
      return Number(/^freeway_task_queue_depth (\S+)$/m.exec(text)?.[1])
    }
    const { client } = await userClient('quinn', 100)
    fake.hold = true
    try {
      const created = await client.videos.create({ model: 'vid-1', prompt: 'tide', seconds: '4' })
      expect(await depth()).toBe(1)
      fake.hold = false
      await waitFor(async () => (await client.videos.retrieve(created.id)).status === 'completed')
    } finally {
      fake.hold = false
    }
    expect(await depth()).toBe(0)
  })

  it('a failed task costs nothing and leaves no record', async () => {
    const { client } = await userClient('fin', 100)
    const created = await client.videos.create({ model: 'vid-fail', prompt: 'x', seconds: '4' })
    let video = created
    await waitFor(async () => {
      video = await client.videos.retrieve(created.id)
      return video.status === 'failed'
    })
    expect(video.error).toMatchObject({ message: expect.stringContaining('the video was blocked') })
    expect(await avail('fin')).toBe(100)
    expect((await records('fin')).total).toBe(0)
  })

  it('402 before any upstream call when the balance cannot cover the price', async () => {
    const { client } = await userClient('poe', 5)
    const before = fake.requests.length
    const err = await client.videos.create({ model: 'vid-1', prompt: 'x', seconds: '4' }).catch((e) => e)
    expect(err.status).toBe(402)
    expect(err.error).toMatchObject({ code: 'insufficient_quota' })
    const img = await client.images.generate({ model: 'img-1', prompt: 'x', n: 2 }).catch((e) => e)
    expect(img.status).toBe(402)
    expect(fake.requests.length).toBe(before)
    expect(await avail('poe')).toBe(5)
  })
})

describe('models', () => {
  it('lists media models with their kind', async () => {
    const { client } = await userClient('mo', 0)
    const ids = Object.fromEntries((await client.models.list()).data.map((m: any) => [m.id, m.kind]))
    expect(ids).toMatchObject({ 'img-1': 'image', 'whisper-x': 'transcription', 'vid-1': 'video' })
    expect(ids.chatty).toBeUndefined()
  })
})
