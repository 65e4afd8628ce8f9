// Metaso AI search (metaso.cn) through its web API: meta-token → session → searchV2 stream (spec §3).
import { z } from 'zod'
import { UpstreamError, invalidRequest, protocolError } from '../../src/kit/errors.js'
import { flattenMessages, lastUserMessage, textOf } from '../../src/kit/messages.js'
import type { SseEvent } from '../../src/kit/sse.js'
import { runProbe } from '../../src/kit/probe.js'
import { defineProvider } from '../../src/kit/types.js'
import type { CallContext, ChatRequest, CredentialHealth, DeltaEvent } from '../../src/kit/types.js'
import { metaToken, normalizeSecret, splitSecret } from './auth.js'
import { type SearchOptions, createSession, myInfo, openSearch } from './client.js'
import { DEFAULT_BASE_URL, MODELS, MODEL_MODES, PROVIDER_ID, SUFFIXES } from './constants.js'
import { MetasoParser } from './parse.js'

export const settingsSchema = z.object({
  /** How long a scraped meta-token is reused before the home page is fetched again. */
  meta_token_ttl_ms: z.number().int().positive().default(1_800_000),
  /** Fold earlier turns into the question; false sends only the newest user message (MFA's way). */
  fold_history: z.boolean().default(true),
})
export type MetasoSettings = z.infer<typeof settingsSchema>
type Ctx = CallContext<MetasoSettings>

/** A stale meta-token shows up as a session or search failure; these kinds earn one fresh scrape. */
const RETRY_WITH_FRESH_TOKEN = new Set(['credential_invalid', 'unavailable', 'protocol'])

function questionOf(req: ChatRequest, ctx: Ctx): string {
  // searchV2 cannot continue a session, so every turn carries its context in the question.
  if (!ctx.settings.fold_history) return textOf(lastUserMessage(req.messages)?.content ?? '')
  return flattenMessages(req.messages)
}

async function startSearch(ctx: Ctx, o: SearchOptions): Promise<{ sessionId: string; events: AsyncGenerator<SseEvent> }> {
  let refused: string | undefined
  for (;;) {
    const token = await metaToken(ctx, refused)
    try {
      const sessionId = await createSession(ctx, token, o)
      return { sessionId, events: await openSearch(ctx, token, sessionId, o) }
    } catch (err) {
      if (refused !== undefined || !(err instanceof UpstreamError) || !RETRY_WITH_FRESH_TOKEN.has(err.kind)) throw err
      ctx.log.debug('metaso call failed; scraping a fresh meta-token', { kind: err.kind })
      refused = token
    }
  }
}

async function* chat(req: ChatRequest, ctx: Ctx): AsyncGenerator<DeltaEvent> {
  splitSecret(ctx.credential.secret)
  const question = questionOf(req, ctx)
  if (!question.trim()) throw invalidRequest(`${PROVIDER_ID}: there is no question to search`, { provider: PROVIDER_ID })
  const options: SearchOptions = { question, mode: MODEL_MODES[req.model] ?? 'detail', scholar: req.flags.has('scholar') }
  const { sessionId, events } = await startSearch(ctx, options)
  const conversation: DeltaEvent = { type: 'conversation', id: sessionId }
  // Announced with the first output, not before: an error as the stream's first payload (rate
  // limit) must still reach the core before any event, so it can fail over to another account.
  let announced = false
  const parser = new MetasoParser(req.flags.has('cite'))
  for await (const ev of events) {
    const out = parser.push(ev.data)
    if (out.length && !announced) {
      announced = true
      yield conversation
    }
    yield* out
    if (parser.ended) break
  }
  if (!parser.ended) throw protocolError(`${PROVIDER_ID}: the search stream ended without [DONE]`, { provider: PROVIDER_ID })
  if (!announced) yield conversation
  yield* parser.finish()
}

function probe(ctx: Ctx): Promise<CredentialHealth> {
  return runProbe(PROVIDER_ID, async () => {
    const user = await myInfo(ctx)
    const name = [user.nickname, user.name, user.userName, user.phone, user.id].find((v) => typeof v === 'string' && v)
    return { ok: true, account: String(name ?? splitSecret(ctx.credential.secret).uid) }
  })
}

export default defineProvider<MetasoSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  // Metaso rate-limits hard per account and IP; one search at a time per account.
  defaultConcurrency: 1,
  settings: settingsSchema,
  create: (name) => ({
    id: name,
    credentialKind: 'cookie',
    models: MODELS,
    suffixes: SUFFIXES,
    chat,
    probe,
    normalizeSecret,
  }),
})
