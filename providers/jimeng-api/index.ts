// Volcengine's visual API for Jimeng video 3.0: submit a task, then poll GetResult. Every request
// is signed with V4 HMAC-SHA256 from the "<access_key>:<secret_key>" credential.
import { mediaOnlyChat, notSupported, protocolError } from '../../src/kit/errors.js'
import { normalizeKeyPair } from '../../src/kit/key-pair.js'
import { defineProvider } from '../../src/kit/types.js'
import type { MediaJob, MediaRequest, MediaSnapshot, MediaTaskRef, ModelSpec } from '../../src/kit/types.js'
import { type Ctx, call, isOk, jimengError } from './client.js'
import { DEFAULT_BASE_URL, MODELS, PROVIDER_ID, RESULT_ACTION, SUBMIT_ACTION, secondsFor } from './constants.js'
import { snapshotOf, submitBody } from './media.js'

const models: ModelSpec[] = Object.keys(MODELS).map((id) => ({ id, kind: 'video', ownedBy: 'volcengine' }))

async function submit(req: MediaRequest, ctx: Ctx): Promise<MediaJob> {
  const mode = MODELS[req.model]
  if (!mode || req.kind !== 'video') throw notSupported(`${PROVIDER_ID}: ${req.model} does not make ${req.kind}`, { provider: PROVIDER_ID })
  const body = submitBody(mode, req)
  const reply = await call(SUBMIT_ACTION, body, ctx)
  if (!isOk(reply)) throw jimengError(200, reply)
  const taskId = reply.data?.task_id
  if (typeof taskId !== 'string' || !taskId) throw protocolError(`${PROVIDER_ID}: the submit answer carries no task_id`, { provider: PROVIDER_ID })
  // GetResult must name the same req_key as the submit.
  return { status: 'queued', upstreamId: taskId, state: { req_key: body.req_key, seconds: secondsFor(Number(body.frames)) } }
}

async function poll(task: MediaTaskRef, ctx: Ctx): Promise<MediaSnapshot> {
  const reqKey = typeof task.state.req_key === 'string' ? task.state.req_key : task.model
  const reply = await call(RESULT_ACTION, { req_key: reqKey, task_id: task.upstreamId }, ctx)
  const seconds = typeof task.state.seconds === 'number' ? task.state.seconds : 5
  if (isOk(reply)) return snapshotOf(reply.data, seconds)
  // A failure code from GetResult ends the task (moderation of the output, generation errors),
  // except a rate limit, which the poller should simply retry later.
  const err = jimengError(200, reply)
  if (err.kind === 'rate_limited') throw err
  return { status: 'failed', error: err.message }
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
