// jimeng-api against the fake visual API: signed submits, GetResult polling to the video, and
// every failure in its class (bad signature → invalid credential, QPS limit → rate limit,
// moderation at submit → the caller's fault, a failed task → a failed snapshot with the message).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MediaJob, MediaRequest } from '../../src/kit/types.js'
import { type FakeJimeng, JIMENG_AK, JIMENG_SECRET, JIMENG_VIDEO_URL, startFakeJimeng } from '../../test/fakes/jimeng-api.js'
import { createAdapter, makeContext } from '../../test/helpers/adapter-context.js'
import jimeng from './index.js'
import { aspectRatioOf } from './media.js'

let fake: FakeJimeng
beforeEach(async () => {
  fake = await startFakeJimeng()
})
afterEach(() => fake.close())

const adapter = () => createAdapter(jimeng, fake.url)
const ctx = (secret = JIMENG_SECRET) => makeContext({ baseUrl: fake.url, secret })
const video = (model: string, o: Partial<MediaRequest> = {}): MediaRequest => ({ kind: 'video', model, prompt: 'a cat', extra: {}, ...o })

async function finish(job: MediaJob, model: string, secret = JIMENG_SECRET) {
  const seen: string[] = []
  for (let i = 0; i < 10; i++) {
    const snap = await adapter().pollMedia!({ kind: 'video', model, upstreamId: job.upstreamId!, state: job.state! }, ctx(secret))
    seen.push(snap.status)
    if (snap.status === 'completed' || snap.status === 'failed') return { snap, seen }
  }
  throw new Error('the task never finished')
}

describe('jimeng-api', () => {
  it('lists the four Jimeng 3.0 models as video', () => {
    const ids = adapter().models.map((m) => [m.id, m.kind])
    for (const id of ['jimeng_t2v_v30_1080p', 'jimeng_i2v_first_v30', 'jimeng_i2v_first_tail_v30', 'jimeng_i2v_recamera_v30'])
      expect(ids).toContainEqual([id, 'video'])
  })

  it('text-to-video: a signed submit, then GetResult with the same req_key until the video', async () => {
    const job = await adapter().submitMedia!(video('jimeng_t2v_v30_1080p', { size: '1280x720', seconds: 10 }), ctx())
    expect(job).toMatchObject({ status: 'queued', upstreamId: 'jm-task-1', state: { req_key: 'jimeng_t2v_v30_1080p', seconds: 10 } })
    expect(fake.requests[0]!.body).toEqual({ req_key: 'jimeng_t2v_v30_1080p', prompt: 'a cat', seed: -1, frames: 241, aspect_ratio: '16:9' })
    expect(String(fake.requests[0]!.headers.authorization)).toMatch(new RegExp(`^HMAC-SHA256 Credential=${JIMENG_AK}/\\d{8}/cn-north-1/cv/request`))
    const { snap, seen } = await finish(job, 'jimeng_t2v_v30_1080p')
    expect(seen).toEqual(['queued', 'in_progress', 'completed'])
    expect(snap).toMatchObject({ outputs: [{ kind: 'video', url: JIMENG_VIDEO_URL }], usage: { seconds: 10 } })
    expect(fake.requests.at(-1)).toMatchObject({ action: 'CVSync2AsyncGetResult', body: { req_key: 'jimeng_t2v_v30_1080p', task_id: 'jm-task-1' } })
  })

  it('image-to-video: URLs as image_urls, data: URLs as raw base64; first_tail takes first and last frame', async () => {
    await adapter().submitMedia!(video('jimeng_i2v_first_v30', { images: ['https://img.example/a.png'] }), ctx())
    expect(fake.requests.at(-1)!.body).toMatchObject({ req_key: 'jimeng_i2v_first_v30', image_urls: ['https://img.example/a.png'], frames: 121 })
    expect(fake.requests.at(-1)!.body.aspect_ratio).toBeUndefined()
    await adapter().submitMedia!(video('jimeng_i2v_first_tail_v30', { images: ['data:image/png;base64,QUFB'], lastFrame: 'data:image/png;base64,QkJC' }), ctx())
    expect(fake.requests.at(-1)!.body).toMatchObject({ binary_data_base64: ['QUFB', 'QkJC'] })
    await expect(adapter().submitMedia!(video('jimeng_i2v_first_tail_v30', { images: ['https://img.example/a.png'] }), ctx())).rejects.toMatchObject({ kind: 'invalid_request' })
  })

  it('recamera sends its template and strength; the caller can choose them through extra', async () => {
    await adapter().submitMedia!(video('jimeng_i2v_recamera_v30', { images: ['https://img.example/a.png'] }), ctx())
    expect(fake.requests.at(-1)!.body).toMatchObject({ template_id: 'hitchcock_dolly_in', camera_strength: 'medium' })
    await adapter().submitMedia!(video('jimeng_i2v_recamera_v30', { images: ['https://img.example/a.png'], extra: { template_id: 'robo_arm', camera_strength: 'strong' } }), ctx())
    expect(fake.requests.at(-1)!.body).toMatchObject({ template_id: 'robo_arm', camera_strength: 'strong' })
  })

  it('a wrong secret key fails the signature: the credential is invalid', async () => {
    await expect(adapter().submitMedia!(video('jimeng_t2v_v30_1080p'), ctx(`${JIMENG_AK}:wrong-secret`))).rejects.toMatchObject({
      kind: 'credential_invalid',
      message: expect.stringContaining('SignatureDoesNotMatch'),
    })
    await expect(adapter().submitMedia!(video('jimeng_t2v_v30_1080p'), ctx('AKLTother:secret'))).rejects.toMatchObject({ kind: 'credential_invalid' })
    await expect(adapter().submitMedia!(video('jimeng_t2v_v30_1080p'), ctx('no-colon'))).rejects.toMatchObject({ kind: 'credential_invalid' })
    expect(fake.requests).toHaveLength(0)
  })

  it('the QPS limit is a rate limit; moderation at submit is the request’s fault', async () => {
    await expect(adapter().submitMedia!(video('jimeng_t2v_v30_1080p', { prompt: 'busy' }), ctx())).rejects.toMatchObject({ kind: 'rate_limited' })
    await expect(adapter().submitMedia!(video('jimeng_t2v_v30_1080p', { prompt: 'moderate-me' }), ctx())).rejects.toMatchObject({
      kind: 'invalid_request',
      message: expect.stringContaining('Text Risk Not Pass'),
    })
  })

  it('a task that fails upstream is a failed snapshot with the upstream message', async () => {
    const job = await adapter().submitMedia!(video('jimeng_t2v_v30_1080p', { prompt: 'fail-task' }), ctx())
    const { snap } = await finish(job, 'jimeng_t2v_v30_1080p')
    expect(snap).toMatchObject({ status: 'failed', error: expect.stringContaining('Post Img Risk Not Pass') })
    const gone = await adapter().pollMedia!({ kind: 'video', model: 'jimeng_t2v_v30_1080p', upstreamId: 'nope', state: {} }, ctx())
    expect(gone).toMatchObject({ status: 'failed', error: expect.stringContaining('not found') })
  })

  it('answers no chat, and maps sizes to the nearest ratio', async () => {
    const it = adapter().chat({ model: 'x', requestedModel: 'x', flags: new Set(), messages: [], stream: false, extra: {} }, ctx())
    await expect(it[Symbol.asyncIterator]().next()).rejects.toMatchObject({ kind: 'not_supported' })
    expect([aspectRatioOf('720x1280'), aspectRatioOf('1024x1024'), aspectRatioOf('21:9'), aspectRatioOf('2K')]).toEqual(['9:16', '1:1', '21:9', '16:9'])
  })
})
