// The "archon" agent API of MiniMax-M3 (`flow: archon`, off by default). UNVERIFIED: built from the
// shapes two peers give (updates-2026 §6.3): the token goes in the `token` header and the query;
// a session is created per conversation at base_url, and each message is posted to the stream host
// (`agent-stream.<domain>`), which answers with SSE. No signing is described for it, so none is sent.
import { randomUUID } from 'node:crypto'
import { protocolError, rateLimited } from '../../src/kit/errors.js'
import type { HttpResponse } from '../../src/kit/http.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { type MinimaxContext, type MinimaxCredential, readEnvelope } from './auth.js'
import { ARCHON_DEFAULT_MODEL, ARCHON_PATHS, PROVIDER_ID, USER_AGENT } from './constants.js'
import { parseArchonStream } from './parse-archon.js'
import { classifyEnvelope } from './parse.js'

const opts = { provider: PROVIDER_ID }

/** `MiniMax-M3` and its siblings go up as named; the generic names get the archon model. */
export const archonModel = (model: string) => (model.startsWith('MiniMax-') ? model : ARCHON_DEFAULT_MODEL)

function withToken(url: string, jwt: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(jwt)}`
}

function headers(cred: MinimaxCredential, accept = 'application/json'): Record<string, string> {
  return {
    token: cred.jwt,
    'content-type': 'application/json',
    accept,
    origin: 'https://agent.minimaxi.com',
    referer: 'https://agent.minimaxi.com/',
    'user-agent': USER_AGENT,
  }
}

async function failureOf(res: HttpResponse, hasRealUserId: boolean) {
  if (res.status === 409) {
    await res.discard()
    return rateLimited(`${PROVIDER_ID}: the archon session is busy with another message (HTTP 409)`, { ...opts, upstreamStatus: 409 })
  }
  return classifyEnvelope(await readEnvelope(res), res.status, hasRealUserId)
}

async function archonJson(ctx: MinimaxContext, cred: MinimaxCredential, path: string, body?: unknown) {
  const res = await ctx.http.request(withToken(ctx.settings.base_url + path, cred.jwt), {
    method: body === undefined ? 'GET' : 'POST',
    headers: headers(cred),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: ctx.signal,
  })
  if (res.status >= 300) throw await failureOf(res, Boolean(cred.realUserId))
  const env = await readEnvelope(res)
  return env as Record<string, unknown> & { data?: Record<string, unknown> }
}

/** `POST /archon/api/v1/agent/<agent>/session {model:"minimax/<id>"}` → `{session_id}` or `data.session_id`. */
export async function createArchonSession(ctx: MinimaxContext, cred: MinimaxCredential, modelId: string): Promise<string> {
  const env = await archonJson(ctx, cred, ARCHON_PATHS.session(ctx.settings.archon_agent), { model: `minimax/${modelId}` })
  const id = env.session_id ?? env.data?.session_id
  if (typeof id !== 'string' && typeof id !== 'number') throw protocolError(`${PROVIDER_ID}: archon session answered without session_id`, opts)
  return String(id)
}

/** Post one message to the session and stream the answer. Throws before any event when refused. */
export async function* archonMessage(
  ctx: MinimaxContext,
  cred: MinimaxCredential,
  sessionId: string,
  content: string,
  modelId: string,
): AsyncGenerator<DeltaEvent> {
  const body = {
    content,
    model: { provider_id: 'minimax', model_id: modelId, variant: 'thinking' },
    turn_id: randomUUID(),
    worktreeMode: false,
  }
  const res = await ctx.http.request(withToken(ctx.settings.archon_stream_url + ARCHON_PATHS.message(sessionId), cred.jwt), {
    method: 'POST',
    headers: headers(cred, 'text/event-stream'),
    body: JSON.stringify(body),
    signal: ctx.signal,
  })
  if (res.status >= 300 || !(res.header('content-type') ?? '').includes('text/event-stream')) throw await failureOf(res, Boolean(cred.realUserId))
  yield* parseArchonStream(res.body)
}

/** Probe: the user info call, which needs a live token. */
export async function archonUserInfo(ctx: MinimaxContext, cred: MinimaxCredential): Promise<string | undefined> {
  const env = await archonJson(ctx, cred, ARCHON_PATHS.userInfo)
  const user = (env.data?.user ?? env.user ?? env.data) as Record<string, unknown> | undefined
  const id = user?.id ?? user?.user_id ?? env.user_id
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined
}
