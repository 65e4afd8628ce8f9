// suno-api against the fake Suno-API service: description and custom modes, polling to the clips,
// failures classified.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MediaJob, MediaRequest } from '../../src/kit/types.js'
import { type FakeSuno, SUNO_AUDIO_URLS, SUNO_TOKEN, startFakeSuno } from '../../test/fakes/suno-api.js'
import { createAdapter, makeContext } from '../../test/helpers/adapter-context.js'
import suno from './index.js'

let fake: FakeSuno
beforeEach(async () => {
  fake = await startFakeSuno()
})
afterEach(() => fake.close())

const adapter = () => createAdapter(suno, fake.url)
const ctx = (secret = SUNO_TOKEN) => makeContext({ baseUrl: fake.url, secret })
const song = (o: Partial<MediaRequest> = {}): MediaRequest => ({ kind: 'music', model: 'chirp-v3-5', prompt: 'a song about rain', extra: {}, ...o })

async function finish(job: MediaJob) {
  const seen: string[] = []
  for (let i = 0; i < 5; i++) {
    const snap = await adapter().pollMedia!({ kind: 'music', model: 'chirp-v3-5', upstreamId: job.upstreamId!, state: job.state! }, ctx())
    seen.push(snap.status)
    if (snap.status === 'completed' || snap.status === 'failed') return { snap, seen }
  }
  throw new Error('the task never finished')
}

describe('suno-api', () => {
  it('lists music models whose upstream is the mv', () => {
    expect(adapter().models).toContainEqual(expect.objectContaining({ id: 'suno-v3.5', upstream: 'chirp-v3-5', kind: 'music' }))
  })

  it('description mode: the prompt becomes gpt_description_prompt; polling ends in two clips', async () => {
    const job = await adapter().submitMedia!(song(), ctx())
    expect(job).toMatchObject({ status: 'queued', upstreamId: 'suno-task-1' })
    expect(fake.requests[0]).toEqual({
      method: 'POST',
      path: '/suno/submit/music',
      body: { prompt: '', gpt_description_prompt: 'a song about rain', mv: 'chirp-v3-5', make_instrumental: false },
    })
    const { snap, seen } = await finish(job)
    expect(seen).toEqual(['queued', 'in_progress', 'completed'])
    expect(snap.outputs).toEqual(SUNO_AUDIO_URLS.map((url) => ({ kind: 'audio', url, mime: 'audio/mpeg' })))
    expect(snap.usage).toEqual({ seconds: 241 })
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/suno/fetch/suno-task-1' })
  })

  it('custom mode: lyrics, tags and title; instrumental; continuation fields pass through', async () => {
    await adapter().submitMedia!(song({ extra: { lyrics: '[Verse]\nrain', tags: 'pop', title: 'Rain', instrumental: true } }), ctx())
    expect(fake.requests.at(-1)!.body).toEqual({ prompt: '[Verse]\nrain', tags: 'pop', title: 'Rain', mv: 'chirp-v3-5', make_instrumental: true })
    const cont = adapter().submitMedia!(song({ extra: { continue_clip_id: 'clip-0', continue_at: 30 } }), ctx())
    await expect(cont).rejects.toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('task_id is required') })
  })

  it('a wrong token is an invalid credential; 429 a rate limit; a failed task carries fail_reason', async () => {
    await expect(adapter().submitMedia!(song(), ctx('wrong'))).rejects.toMatchObject({ kind: 'credential_invalid', upstreamStatus: 401 })
    await expect(adapter().submitMedia!(song({ prompt: 'busy' }), ctx())).rejects.toMatchObject({ kind: 'rate_limited' })
    const job = await adapter().submitMedia!(song({ prompt: 'fail-task' }), ctx())
    expect((await finish(job)).snap).toEqual({ status: 'failed', error: 'suno-api: content violates the policy' })
    const gone = await adapter().pollMedia!({ kind: 'music', model: 'chirp-v3-5', upstreamId: 'nope', state: {} }, ctx())
    expect(gone.status).toBe('failed')
  })
})

describe('suno-api probe', () => {
  it('the account answers for a good token (credits left); a wrong token is bad', async () => {
    expect(await adapter().probe!(ctx())).toEqual({ ok: true, credit: 2450 })
    expect(await adapter().probe!(ctx('wrong'))).toMatchObject({ ok: false })
  })
})
