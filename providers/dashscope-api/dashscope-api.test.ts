// dashscope-api's media adapter driven directly against the fake DashScope: the async services
// (submit with X-DashScope-Async, then poll the task), the sync multimodal generation, failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError } from '../../src/kit/errors.js'
import type { MediaJob, MediaKind, MediaRequest, MediaSnapshot } from '../../src/kit/types.js'
import { createAdapter, makeContext } from '../../test/helpers/adapter-context.js'
import { DASHSCOPE_ARREARS_KEY, DASHSCOPE_KEY, DASHSCOPE_LIMITED_KEY, FAIL_PROMPT, type FakeDashScope, TRANSCRIPT, startFakeDashScope } from '../../test/fakes/dashscope-api.js'
import dashscope from './index.js'
import type { DashScopeSettings } from './settings.js'

let fake: FakeDashScope
beforeAll(async () => {
  fake = await startFakeDashScope()
})
afterAll(() => fake.close())

const adapter = () => createAdapter(dashscope, fake.url)
const ctx = (secret = DASHSCOPE_KEY) => makeContext<DashScopeSettings>({ baseUrl: fake.url, secret, settings: { headers: {} } })
const media = (kind: MediaKind, model: string, more: Partial<MediaRequest> = {}): MediaRequest => ({ kind, model, extra: {}, ...more })

/** Poll as the core would, until the snapshot is final; returns every snapshot seen. */
async function pollToEnd(job: MediaJob, req: MediaRequest, secret = DASHSCOPE_KEY): Promise<MediaSnapshot[]> {
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

describe('dashscope-api media', () => {
  it('lists chat models and media models with their kinds', () => {
    const kinds = Object.fromEntries(adapter().models.map((m) => [m.id, m.kind ?? 'chat']))
    expect(kinds).toMatchObject({ 'qwen-plus': 'chat', 'qwen-vl-max': 'chat', 'qwen-image-plus': 'image', 'qwen-image-edit': 'image', 'qwen3-asr-flash': 'transcription', 'wan2.5-t2v-preview': 'video' })
  })

  it.each(['qwen-image', 'qwen-image-plus', 'wan2.5-t2i-preview'])('%s: async text-to-image, queued → running → completed', async (model) => {
    const req = media('image', model, { prompt: '一只橘猫', size: '1328x1328', n: 1, extra: { watermark: false } })
    const job = await adapter().submitMedia!(req, ctx())
    expect(job).toMatchObject({ status: 'queued', upstreamId: expect.stringMatching(/^task-/) })
    const sent = fake.requests.at(-1)!
    expect(sent.path).toBe('/api/v1/services/aigc/text2image/image-synthesis')
    expect(sent.headers['x-dashscope-async']).toBe('enable')
    expect(sent.body).toEqual({ model, input: { prompt: '一只橘猫' }, parameters: { size: '1328*1328', n: 1, watermark: false } })
    const seen = await pollToEnd(job, req)
    expect(seen.map((s) => s.status)).toEqual(['queued', 'in_progress', 'completed'])
    expect(seen.at(-1)).toMatchObject({ outputs: [{ kind: 'image', url: expect.stringContaining('.png') }], usage: { images: 1 } })
  })

  it('a FAILED task is a failed snapshot with the upstream message', async () => {
    const req = media('image', 'qwen-image', { prompt: `${FAIL_PROMPT} please` })
    const seen = await pollToEnd(await adapter().submitMedia!(req, ctx()), req)
    expect(seen.at(-1)).toEqual({ status: 'failed', error: 'DataInspectionFailed: Input data may contain inappropriate content.' })
  })

  it('another key cannot read the task: UNKNOWN is a failure', async () => {
    const req = media('image', 'qwen-image', { prompt: 'x' })
    const job = await adapter().submitMedia!(req, ctx())
    fake.tasks.get(job.upstreamId!)!.key = 'someone-else'
    const snap = await adapter().pollMedia!({ kind: 'image', model: 'qwen-image', upstreamId: job.upstreamId!, state: {} }, ctx())
    expect(snap).toEqual({ status: 'failed', error: 'task UNKNOWN' })
  })

  it('wan2.5-i2i-preview: async image-to-image with the input images', async () => {
    const req = media('image', 'wan2.5-i2i-preview', { prompt: '换成水彩风格', images: ['https://img.example/a.png', 'data:image/png;base64,iVBORw0KGgo='], n: 2 })
    const job = await adapter().submitMedia!(req, ctx())
    expect(fake.requests.at(-1)!.body.input.images).toHaveLength(2)
    const last = (await pollToEnd(job, req)).at(-1)!
    expect(last.outputs).toHaveLength(2)
    expect(last.usage).toEqual({ images: 2 })
  })

  it('qwen-image-edit: sync multimodal generation, images then one text item, no async header', async () => {
    const job = await adapter().submitMedia!(media('image', 'qwen-image-edit', { prompt: '把天空换成晚霞', images: ['https://img.example/a.png'] }), ctx())
    expect(job).toEqual({ status: 'completed', progress: 100, outputs: [{ kind: 'image', url: 'https://dashscope-result.example/edit-0.png' }], usage: { images: 1 } })
    const sent = fake.requests.at(-1)!
    expect(sent.headers['x-dashscope-async']).toBeUndefined()
    expect(sent.body.input.messages[0].content).toEqual([{ image: 'https://img.example/a.png' }, { text: '把天空换成晚霞' }])
  })

  it('qwen3-asr-flash: sync speech recognition with language and context', async () => {
    const req = media('transcription', 'qwen3-asr-flash', { audio: 'https://audio.example/a.mp3', language: 'zh', instructions: '天气预报' })
    const job = await adapter().submitMedia!(req, ctx())
    expect(job).toEqual({ status: 'completed', progress: 100, text: TRANSCRIPT, usage: { promptTokens: 0, completionTokens: 6, seconds: 3 } })
    expect(fake.requests.at(-1)!.body).toMatchObject({
      input: { messages: [{ role: 'system', content: [{ text: '天气预报' }] }, { role: 'user', content: [{ audio: 'https://audio.example/a.mp3' }] }] },
      parameters: { asr_options: { enable_itn: false, language: 'zh' } },
    })
  })

  it('wan video: text-to-video with size, image-to-video with resolution; seconds billed', async () => {
    const t2v = media('video', 'wan2.5-t2v-preview', { prompt: '海浪', size: '832x480', seconds: 5 })
    const job = await adapter().submitMedia!(t2v, ctx())
    expect(fake.requests.at(-1)!.body.parameters).toEqual({ size: '832*480', duration: 5 })
    expect((await pollToEnd(job, t2v)).at(-1)).toMatchObject({ status: 'completed', outputs: [{ kind: 'video', url: expect.stringMatching(/\.mp4$/) }], usage: { seconds: 5 } })

    const i2v = media('video', 'wan2.5-i2v-preview', { prompt: '动起来', images: ['https://img.example/f.png'], size: '720p', seconds: 10 })
    const job2 = await adapter().submitMedia!(i2v, ctx())
    expect(fake.requests.at(-1)!.body).toMatchObject({ input: { img_url: 'https://img.example/f.png' }, parameters: { resolution: '720P', duration: 10 } })
    expect((await pollToEnd(job2, i2v)).at(-1)!.usage).toEqual({ seconds: 10 })
  })

  it('classifies failures: bad key, rate limit, arrears, invalid parameter, missing input', async () => {
    const req = media('image', 'qwen-image', { prompt: 'x' })
    expect((await caught(adapter().submitMedia!(req, ctx('sk-wrong')))).kind).toBe('credential_invalid')
    expect((await caught(adapter().submitMedia!(req, ctx(DASHSCOPE_LIMITED_KEY)))).kind).toBe('rate_limited')
    expect((await caught(adapter().submitMedia!(req, ctx(DASHSCOPE_ARREARS_KEY)))).kind).toBe('quota_exhausted')
    const bad = await caught(adapter().submitMedia!({ ...req, size: '1x1' }, ctx()))
    expect([bad.kind, bad.message]).toEqual(['invalid_request', 'dashscope-api: size must look like 1328*1328, got 1*1'])
    expect((await caught(adapter().submitMedia!(media('image', 'qwen-image-edit', { prompt: 'x' }), ctx()))).kind).toBe('invalid_request')
    expect((await caught(adapter().submitMedia!(media('image', 'qwen-plus', { prompt: 'x' }), ctx()))).kind).toBe('not_supported')
  })
})
