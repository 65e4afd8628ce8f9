// Suno music through the Suno-API service: submit /suno/submit/music, poll /suno/fetch/{id}.
// Envelope {code:"success"|"invalid_request"|…, message, data}; auth is a Bearer token.
import { UpstreamError, errorFromStatus, mediaOnlyChat, notSupported, parseRetryAfter, protocolError, upstreamUnavailable } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { maskSecretsIn } from '../../src/kit/log.js'
import { type CallContext, defineProvider } from '../../src/kit/types.js'
import type { CredentialHealth, MediaJob, MediaRequest, MediaSnapshot, MediaTaskRef, ModelSpec } from '../../src/kit/types.js'
import { ACCOUNT_PATH, DEFAULT_BASE_URL, FETCH_PATH, MODELS, PROVIDER_ID, SUBMIT_PATH } from './constants.js'
import { musicBody, snapshotOf } from './media.js'

const models: ModelSpec[] = Object.entries(MODELS).map(([id, mv]) => ({ id, upstream: mv, kind: 'music', ownedBy: 'suno' }))
const mvOf = new Map(Object.entries(MODELS).flatMap(([id, mv]) => [[id, mv] as const, [mv, mv] as const]))

/** The envelope's data when code is "success"; anything else as its typed error. */
async function callSuno(path: string, ctx: CallContext, json?: Record<string, unknown>): Promise<unknown> {
  const res = await ctx.http.request(`${ctx.settings.base_url}${path}`, {
    method: json ? 'POST' : 'GET',
    ...(json ? { json } : {}),
    headers: { authorization: `Bearer ${ctx.credential.secret}`, accept: 'application/json' },
    signal: ctx.signal,
  })
  const text = await res.text()
  const body = asObject(tryJson(text))
  if (res.status >= 200 && res.status < 300 && body?.code === 'success') return body.data
  const message = `${PROVIDER_ID}: ${maskSecretsIn(String(body?.message || body?.code || text.slice(0, 200) || `HTTP ${res.status}`))}`
  const o = { provider: PROVIDER_ID, retryAfterMs: parseRetryAfter(res.headers['retry-after']) }
  // Not the service's JSON (a proxy's or portal's page): only a 401 or a 5xx still says something.
  if (!body && res.status !== 401 && res.status < 500) throw protocolError(`${PROVIDER_ID}: the answer is not the service's JSON (HTTP ${res.status})`, o)
  // A 200 with an error code is the service's own failure; statuses decide the rest (401 = bad token).
  throw res.status < 300 ? upstreamUnavailable(message, o) : errorFromStatus(res.status, message, o)
}

async function submit(req: MediaRequest, ctx: CallContext): Promise<MediaJob> {
  const mv = mvOf.get(req.model)
  if (!mv || req.kind !== 'music') throw notSupported(`${PROVIDER_ID}: ${req.model} does not make ${req.kind}`, { provider: PROVIDER_ID })
  const taskId = await callSuno(SUBMIT_PATH, ctx, musicBody(mv, req))
  if (typeof taskId !== 'string' || !taskId) throw protocolError(`${PROVIDER_ID}: the submit answer carries no task id`, { provider: PROVIDER_ID })
  return { status: 'queued', upstreamId: taskId, state: {} }
}

async function poll(task: MediaTaskRef, ctx: CallContext): Promise<MediaSnapshot> {
  return snapshotOf(asObject(await callSuno(`${FETCH_PATH}/${encodeURIComponent(task.upstreamId)}`, ctx)))
}

/** GET /suno/account proves the token; only a refused token is ok:false. */
async function probe(ctx: CallContext): Promise<CredentialHealth> {
  try {
    const account = asObject(await callSuno(ACCOUNT_PATH, ctx))
    const credits = account?.credits_left
    return { ok: true, ...(typeof credits === 'number' ? { credit: credits } : {}) }
  } catch (err) {
    if (err instanceof UpstreamError && err.kind === 'credential_invalid') return { ok: false, reason: err.message }
    throw err
  }
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
    chat: mediaOnlyChat(name, 'music'),
    submitMedia: submit,
    pollMedia: poll,
    probe,
    normalizeSecret: (raw) => raw.trim().replace(/^(authorization:\s*)?bearer\s+/i, ''),
  }),
})
