// kling-api against the fake Kling API: JWT auth (the spec's vector, and a fake that verifies
// every token), text2video / image2video / O1 tasks polled to their video, failures classified.
import { decodeJwt } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MediaJob, MediaRequest } from '../../src/kit/types.js'
import { type FakeKling, KLING_AK, KLING_SECRET, KLING_SK, KLING_VIDEO_URL, startFakeKling } from '../../test/fakes/kling-api.js'
import { createAdapter, makeContext } from '../../test/helpers/adapter-context.js'
import { signToken } from './auth.js'
import kling from './index.js'

let fake: FakeKling
beforeEach(async () => {
  fake = await startFakeKling()
})
afterEach(() => fake.close())

const adapter = () => createAdapter(kling, fake.url)
const ctx = (secret = KLING_SECRET) => makeContext({ baseUrl: fake.url, secret })
const video = (model: string, o: Partial<MediaRequest> = {}): MediaRequest => ({ kind: 'video', model, prompt: 'a dog surfing', extra: {}, ...o })

async function finish(job: MediaJob, model: string) {
  const seen: string[] = [job.status]
  for (let i = 0; i < 5; i++) {
    const snap = await adapter().pollMedia!({ kind: 'video', model, upstreamId: job.upstreamId!, state: job.state! }, ctx())
    seen.push(snap.status)
    if (snap.status === 'completed' || snap.status === 'failed') return { snap, seen }
  }
  throw new Error('the task never finished')
}

describe('kling-api token', () => {
  it('reproduces the spec vector (iss/exp/nbf, HS256)', async () => {
    const token = await signToken({ accessKey: 'test-ak', secretKey: 'test-sk' }, 1700000000)
    expect(token).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJ0ZXN0LWFrIiwiZXhwIjoxNzAwMDAxODAwLCJuYmYiOjE2OTk5OTk5OTV9.WVi2E6Zh6XjoahLqvgwjrspinAR_wIVTs0y9SGAH0Gs',
    )
  })

  it('a fresh token per call, valid for 30 minutes', async () => {
    await adapter().submitMedia!(video('kling-v2-6'), ctx())
    const claims = fake.requests[0]!.claims
    expect(claims.iss).toBe(KLING_AK)
    expect((claims.exp as number) - (claims.nbf as number)).toBe(1805)
    expect(decodeJwt(await signToken({ accessKey: KLING_AK, secretKey: KLING_SK })).iss).toBe(KLING_AK)
  })
})

describe('kling-api', () => {
  it('text2video: the spec body (duration a string), then polling to the video and its length', async () => {
    const job = await adapter().submitMedia!(video('kling-v2-6', { size: '720x1280', seconds: 10, negativePrompt: 'blur' }), ctx())
    expect(job).toMatchObject({ status: 'queued', state: { path: '/v1/videos/text2video', seconds: 10 } })
    expect(fake.requests[0]).toMatchObject({
      path: '/v1/videos/text2video',
      body: { model_name: 'kling-v2-6', prompt: 'a dog surfing', negative_prompt: 'blur', mode: 'std', aspect_ratio: '9:16', duration: '10' },
    })
    const { snap, seen } = await finish(job, 'kling-v2-6')
    expect(seen).toEqual(['queued', 'in_progress', 'completed'])
    expect(snap).toMatchObject({ outputs: [{ kind: 'video', url: KLING_VIDEO_URL }], usage: { seconds: 10.1 } })
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v1/videos/text2video/${job.upstreamId}` })
  })

  it('image2video: raw base64 without the data: prefix, and the last frame as image_tail', async () => {
    const job = await adapter().submitMedia!(video('kling-v2-1', { images: ['data:image/png;base64,QUFB'], lastFrame: 'https://img.example/z.png' }), ctx())
    expect(fake.requests[0]).toMatchObject({ path: '/v1/videos/image2video', body: { image: 'QUFB', image_tail: 'https://img.example/z.png', duration: '5' } })
    expect(fake.requests[0]!.body.aspect_ratio).toBeUndefined()
    expect((await finish(job, 'kling-v2-1')).snap.status).toBe('completed')
  })

  it('kling-o1 goes to omni-video as kling-video-o1, frames in image_list; extra passes through', async () => {
    const job = await adapter().submitMedia!(video('kling-video-o1', { images: ['https://img.example/a.png'], seconds: 7, extra: { mode: 'pro' } }), ctx())
    expect(fake.requests[0]).toMatchObject({
      path: '/v1/videos/omni-video',
      body: { model_name: 'kling-video-o1', mode: 'pro', duration: '7', image_list: [{ image_url: 'https://img.example/a.png', type: 'first_frame' }] },
    })
    expect((await finish(job, 'kling-video-o1')).snap).toMatchObject({ status: 'completed', usage: { seconds: 7.1 } })
    expect(adapter().models.find((m) => m.id === 'kling-o1')).toMatchObject({ kind: 'video', upstream: 'kling-video-o1' })
  })

  it('a wrong secret or a malformed credential is an invalid credential', async () => {
    await expect(adapter().submitMedia!(video('kling-v2-6'), ctx(`${KLING_AK}:wrong`))).rejects.toMatchObject({ kind: 'credential_invalid', upstreamStatus: 401 })
    await expect(adapter().submitMedia!(video('kling-v2-6'), ctx('other-ak:kling-fake-sk'))).rejects.toMatchObject({ kind: 'credential_invalid' })
    await expect(adapter().submitMedia!(video('kling-v2-6'), ctx('just-one-key'))).rejects.toMatchObject({ kind: 'credential_invalid' })
  })

  it('429s: too fast is a rate limit, arrears is out of quota; policy and parameters are the request’s fault', async () => {
    await expect(adapter().submitMedia!(video('kling-v2-6', { prompt: 'busy' }), ctx())).rejects.toMatchObject({ kind: 'rate_limited' })
    await expect(adapter().submitMedia!(video('kling-v2-6', { prompt: 'arrears' }), ctx())).rejects.toMatchObject({ kind: 'quota_exhausted' })
    await expect(adapter().submitMedia!(video('kling-v2-6', { prompt: 'policy' }), ctx())).rejects.toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('policy') })
    const both = video('kling-v2-1', { images: ['https://a/1.png'], lastFrame: 'https://a/2.png', extra: { camera_control: { type: 'simple' } } })
    await expect(adapter().submitMedia!(both, ctx())).rejects.toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('1201') })
  })

  it('a failed task is a failed snapshot with task_status_msg', async () => {
    const job = await adapter().submitMedia!(video('kling-v2-6', { prompt: 'fail-task' }), ctx())
    expect((await finish(job, 'kling-v2-6')).snap).toEqual({ status: 'failed', error: 'kling-api: Generation failed: content risk' })
  })
})
