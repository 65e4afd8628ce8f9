// Kling's official API: text-to-video, image-to-video and Kling O1 (omni-video) as tasks to poll.
// Every call carries a fresh JWT made from the "<access_key>:<secret_key>" credential.
import { mediaOnlyChat, notSupported, protocolError } from '../../src/kit/errors.js'
import { normalizeKeyPair } from '../../src/kit/key-pair.js'
import { defineProvider } from '../../src/kit/types.js'
import type { MediaJob, MediaRequest, MediaSnapshot, MediaTaskRef, ModelSpec } from '../../src/kit/types.js'
import { type Ctx, callKling } from './client.js'
import { DEFAULT_BASE_URL, MODELS, PROVIDER_ID } from './constants.js'
import { createOf, snapshotOf } from './media.js'

const models: ModelSpec[] = MODELS.map((m) => ({ id: m.id, kind: 'video', ownedBy: 'kling', ...(m.upstream !== m.id ? { upstream: m.upstream } : {}) }))
const byName = new Map(MODELS.flatMap((m) => [[m.id, m] as const, [m.upstream, m] as const]))

async function submit(req: MediaRequest, ctx: Ctx): Promise<MediaJob> {
  const model = byName.get(req.model)
  if (!model || req.kind !== 'video') throw notSupported(`${PROVIDER_ID}: ${req.model} does not make ${req.kind}`, { provider: PROVIDER_ID })
  const create = createOf(model, req)
  const data = await callKling(create.path, ctx, create.body)
  const taskId = data.task_id
  if (typeof taskId !== 'string' || !taskId) throw protocolError(`${PROVIDER_ID}: the create answer carries no task_id`, { provider: PROVIDER_ID })
  return { ...snapshotOf(data, create.seconds), upstreamId: taskId, state: { path: create.path, seconds: create.seconds } }
}

async function poll(task: MediaTaskRef, ctx: Ctx): Promise<MediaSnapshot> {
  const path = typeof task.state.path === 'string' ? task.state.path : '/v1/videos/text2video'
  const data = await callKling(`${path}/${encodeURIComponent(task.upstreamId)}`, ctx)
  return snapshotOf(data, typeof task.state.seconds === 'number' ? task.state.seconds : 5)
}

export default defineProvider({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  defaultConcurrency: 8,
  enabledByDefault: false,
  create: (name) => ({
    id: name,
    credentialKind: 'api_key',
    models,
    chat: mediaOnlyChat(name, 'video'),
    submitMedia: submit,
    pollMedia: poll,
    normalizeSecret: normalizeKeyPair,
  }),
})
