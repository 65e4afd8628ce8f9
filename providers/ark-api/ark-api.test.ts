// ark-api's media adapter driven directly against the fake Ark: Seedream/SeedEdit images
// (synchronous), Seedance video tasks (create, then query), and failure classes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError } from '../../src/kit/errors.js'
import type { MediaJob, MediaKind, MediaRequest, MediaSnapshot } from '../../src/kit/types.js'
import { createAdapter, makeContext } from '../../test/helpers/adapter-context.js'
import { ARK_FAIL_PROMPT, ARK_KEY, ARK_LIMITED_KEY, ARK_OTHER_KEY, ARK_OVERDUE_KEY, type FakeArk, startFakeArk } from '../../test/fakes/ark-api.js'
import ark from './index.js'
import { videoShape } from './request.js'
import type { ArkSettings } from './settings.js'

let fake: FakeArk
let base: string
beforeAll(async () => {
  fake = await startFakeArk()
  base = `${fake.url}/api/v3`
})
afterAll(() => fake.close())

const adapter = () => createAdapter(ark, base)
const ctx = (secret = ARK_KEY) => makeContext<ArkSettings>({ baseUrl: base, secret, settings: { headers: {}, watermark: false } })
const media = (kind: MediaKind, model: string, more: Partial<MediaRequest> = {}): MediaRequest => ({ kind, model, extra: {}, ...more })

async function pollToEnd(job: MediaJob, req: MediaRequest, secret = ARK_KEY): Promise<MediaSnapshot[]> {
  const seen: MediaSnapshot[] = []
  for (let i = 0; i < 10; i++) {
    const snap = await adapter().pollMedia!({ kind: req.kind, model: req.model, upstreamId: job.upstreamId!, state: job.state ?? {} }, ctx(secret))
    seen.push(snap)
    if (snap.status === 'completed' || snap.status === 'failed') return seen
  }
  throw new Error('the task never finished')
}

async function caught(p: Promise<unknown>): Promise<UpstreamError> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(UpstreamError)
  return err as UpstreamError
}

describe('ark-api media', () => {
  it('lists Doubao chat, Seedream/SeedEdit images and Seedance videos; resolves endpoint ids as chat', () => {
    const a = adapter()
    const kinds = Object.fromEntries(a.models.map((m) => [m.id, m.kind ?? 'chat']))
    expect(kinds).toMatchObject({ 'doubao-seed-1-6-250615': 'chat', 'doubao-seedream-4-0-250828': 'image', 'doubao-seededit-3-0-i2i-250628': 'image', 'doubao-seedance-1-0-pro-250528': 'video' })
    expect(a.resolveModel!('ep-20261204-abc')).toEqual({ id: 'ep-20261204-abc', ownedBy: 'ark-api' })
    expect(a.resolveModel!('gpt-4o')).toBeUndefined()
  })

  it('Seedream: one synchronous call, OpenAI size accepted, no watermark by default', async () => {
    const job = await adapter().submitMedia!(media('image', 'doubao-seedream-4-0-250828', { prompt: '星空下的城市', size: '2048x2048' }), ctx())
    expect(job).toEqual({ status: 'completed', progress: 100, outputs: [{ kind: 'image', url: 'https://ark-result.example/doubao-seedream-4-0-250828-0.jpeg' }], usage: { images: 1 } })
    expect(fake.requests.at(-1)!.body).toEqual({ model: 'doubao-seedream-4-0-250828', prompt: '星空下的城市', size: '2048x2048', response_format: 'url', watermark: false })
  })

  it('Seedream: n images as a sequence, base64 when asked through extra parameters', async () => {
    const job = await adapter().submitMedia!(media('image', 'doubao-seedream-4-0-250828', { prompt: '四季', n: 3, size: '2k', extra: { response_format: 'b64_json' } }), ctx())
    expect(job.outputs).toHaveLength(3)
    expect(job.outputs![0]).toMatchObject({ kind: 'image', b64: Buffer.from('image-0').toString('base64') })
    expect(fake.requests.at(-1)!.body).toMatchObject({ size: '2K', sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 3 } })
  })

  it('SeedEdit: the input image goes as one string; without one the request is refused locally', async () => {
    const job = await adapter().submitMedia!(media('image', 'doubao-seededit-3-0-i2i-250628', { prompt: '改成卡通风格', images: ['https://img.example/a.png'] }), ctx())
    expect(job.status).toBe('completed')
    expect(fake.requests.at(-1)!.body.image).toBe('https://img.example/a.png')
    const before = fake.requests.length
    expect((await caught(adapter().submitMedia!(media('image', 'doubao-seededit-3-0-i2i-250628', { prompt: 'x' }), ctx()))).kind).toBe('invalid_request')
    expect(fake.requests.length).toBe(before)
  })

  it('Seedance image-to-video: first and last frames, duration, ratio and resolution; queued → running → completed', async () => {
    const req = media('video', 'doubao-seedance-1-0-pro-250528', { prompt: '镜头缓慢推进', images: ['https://img.example/f.png'], lastFrame: 'https://img.example/l.png', seconds: 5, size: '1280x720' })
    const job = await adapter().submitMedia!(req, ctx())
    expect(job).toMatchObject({ status: 'queued', upstreamId: expect.stringMatching(/^cgt-/) })
    expect(fake.requests.at(-1)!.body).toEqual({
      model: 'doubao-seedance-1-0-pro-250528',
      content: [
        { type: 'text', text: '镜头缓慢推进' },
        { type: 'image_url', image_url: { url: 'https://img.example/f.png' }, role: 'first_frame' },
        { type: 'image_url', image_url: { url: 'https://img.example/l.png' }, role: 'last_frame' },
      ],
      ratio: '16:9',
      resolution: '720p',
      duration: 5,
      watermark: false,
    })
    const seen = await pollToEnd(job, req)
    expect(seen.map((s) => s.status)).toEqual(['queued', 'in_progress', 'completed'])
    expect(seen.at(-1)).toMatchObject({ outputs: [{ kind: 'video', url: `https://ark-result.example/${job.upstreamId}.mp4` }], usage: { seconds: 5 } })
  })

  it('a failed Seedance task is a failed snapshot with the upstream message; another key cannot read a task', async () => {
    const req = media('video', 'doubao-seedance-1-0-lite-t2v-250428', { prompt: `${ARK_FAIL_PROMPT} 视频` })
    const job = await adapter().submitMedia!(req, ctx())
    expect((await pollToEnd(job, req)).at(-1)).toEqual({ status: 'failed', error: 'The output video may contain sensitive information.' })
    const task = { kind: 'video' as const, model: req.model, upstreamId: job.upstreamId!, state: {} }
    expect((await caught(adapter().pollMedia!(task, ctx(ARK_OTHER_KEY)))).kind).toBe('invalid_request')
  })

  it('classifies failures: bad key, rate limit, overdue account, sensitive output, bad size', async () => {
    const req = media('image', 'doubao-seedream-4-0-250828', { prompt: 'x' })
    expect((await caught(adapter().submitMedia!(req, ctx('ark-wrong')))).kind).toBe('credential_invalid')
    expect((await caught(adapter().submitMedia!(req, ctx(ARK_LIMITED_KEY)))).kind).toBe('rate_limited')
    expect((await caught(adapter().submitMedia!(req, ctx(ARK_OVERDUE_KEY)))).kind).toBe('quota_exhausted')
    const sensitive = await caught(adapter().submitMedia!({ ...req, prompt: ARK_FAIL_PROMPT }, ctx()))
    expect([sensitive.kind, sensitive.message]).toEqual(['invalid_request', 'ark-api: The request failed because the output image may contain sensitive information.'])
    expect((await caught(adapter().submitMedia!({ ...req, size: 'huge' }, ctx()))).kind).toBe('invalid_request')
    expect((await caught(adapter().submitMedia!(media('image', 'doubao-seed-1-6-250615', { prompt: 'x' }), ctx()))).kind).toBe('not_supported')
  })

  it('maps sizes to Seedance ratio and resolution', () => {
    expect(videoShape('720x1280')).toEqual({ ratio: '9:16', resolution: '720p' })
    expect(videoShape('1920x1080')).toEqual({ ratio: '16:9', resolution: '1080p' })
    expect(videoShape('1080P')).toEqual({ resolution: '1080p' })
    expect(videoShape('4:3')).toEqual({ ratio: '4:3' })
    expect(videoShape(undefined)).toEqual({})
  })
})
