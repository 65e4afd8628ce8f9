// qwen-web: Alibaba's consumer Qwen chats. `site` picks www.qianwen.com (default), the legacy
// Tongyi flow, or the international chat.qwen.ai; each has its own client and stream parser.
import { z } from 'zod'
import { invalidRequest, notSupported } from '../../src/kit/errors.js'
import { imageUrlsOf, lastUserMessage, textOf } from '../../src/kit/messages.js'
import { readSse } from '../../src/kit/sse.js'
import { defineProvider } from '../../src/kit/types.js'
import { withoutTrailingSlash } from '../../src/kit/url.js'
import type { ChatMessage, ChatRequest, ConversationRef, DeltaEvent } from '../../src/kit/types.js'
import { normalizeSecret } from './auth.js'
import { intlClient } from './client-intl.js'
import { qianwenClient } from './client-qianwen.js'
import { tongyiClient } from './client-tongyi.js'
import type { Ctx, QwenSettings, SiteClient, StreamParser } from './client.js'
import { INTL_BX_V, INTL_VERSION, PROVIDER_ID, QIANWEN_CHAT_URL, SUFFIXES, type Site, modelsFor } from './constants.js'

export const settingsSchema = z.object({
  /** `qianwen` (www.qianwen.com), `tongyi` (legacy qianwen.biz.aliyun.com) or `intl` (chat.qwen.ai). */
  site: z.enum(['qianwen', 'tongyi', 'intl']).default('qianwen'),
  // Unset origins follow base_url when it is configured (a mirror, a test fake), else the site's own host.
  /** www.qianwen.com's second origin (model list, session delete). */
  api_url: z.string().url().transform(withoutTrailingSlash).optional(),
  tongyi_url: z.string().url().transform(withoutTrailingSlash).optional(),
  intl_url: z.string().url().transform(withoutTrailingSlash).optional(),
  /** Public model id → upstream model name, for when the site renames its models. */
  model_map: z.record(z.string(), z.string()).default({}),
  /** Qianwen "temporary" chats (not kept in the account's history). */
  temporary: z.boolean().default(false),
  /** Continue Qianwen sessions (`continue_chat`); off = every turn is a new session with the history folded in. */
  continue_sessions: z.boolean().default(true),
  /** Extra request headers, e.g. bx-ua / bx-umidtoken captured from the browser. */
  extra_headers: z.record(z.string(), z.string()).default({}),
  /** chat.qwen.ai `version` header (the web build) and `bx-v` (its anti-bot SDK); raise them when the site does. */
  intl_version: z.string().default(INTL_VERSION),
  intl_bx_v: z.string().default(INTL_BX_V),
}) satisfies z.ZodType<QwenSettings>

const clients: Record<Site, SiteClient> = { qianwen: qianwenClient, tongyi: tongyiClient, intl: intlClient }

/** History for a new conversation in the ChatML framing Qwen peers use; one question goes as is. */
export function foldHistory(messages: readonly ChatMessage[]): string {
  const relevant = messages.filter((m) => textOf(m.content).trim())
  if (relevant.length === 1 && relevant[0]!.role === 'user') return textOf(relevant[0]!.content)
  return relevant.map((m) => `<|im_start|>${m.role}\n${textOf(m.content)}<|im_end|>\n`).join('')
}

function continuationOf(req: ChatRequest, settings: QwenSettings): ConversationRef | undefined {
  if (settings.site === 'qianwen' && !settings.continue_sessions) return undefined
  if (req.continueFrom) return req.continueFrom
  return req.conversationId ? { conversationId: req.conversationId } : undefined
}

export async function* parseQwenStream(body: AsyncIterable<Uint8Array | string>, parser: StreamParser): AsyncGenerator<DeltaEvent> {
  for await (const ev of readSse(body)) {
    yield* parser.push(ev)
    if (parser.done) return
  }
  yield* parser.end()
}

async function* chat(req: ChatRequest, ctx: Ctx): AsyncGenerator<DeltaEvent> {
  const last = lastUserMessage(req.messages)
  if (!last || !textOf(last.content).trim()) throw invalidRequest(`${PROVIDER_ID}: no user message to send`)
  if (imageUrlsOf(last.content).length) throw notSupported(`${PROVIDER_ID}: image input (file upload) is not implemented`)
  const continuing = continuationOf(req, ctx.settings)
  const opened = await clients[ctx.settings.site].open(ctx, {
    prompt: continuing ? textOf(last.content) : foldHistory(req.messages),
    model: req.model,
    thinking: req.flags.has('thinking'),
    ...(continuing ? { continuing } : {}),
    extra: req.extra,
  })
  const fallback = opened.known ?? continuing
  let announced = false
  for await (const ev of parseQwenStream(opened.body, opened.parser)) {
    if (ev.type === 'conversation') {
      if (announced) continue
      announced = true
    } else if (!announced && fallback) {
      announced = true
      yield { type: 'conversation', id: fallback.conversationId, ...(fallback.parentId ? { parentId: fallback.parentId } : {}) }
    }
    yield ev
  }
}

export default defineProvider<QwenSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: QIANWEN_CHAT_URL,
  defaultConcurrency: 1,
  settings: settingsSchema,
  create: (name, settings) => ({
    id: name,
    credentialKind: 'cookie',
    models: modelsFor(settings.site, settings.model_map),
    suffixes: settings.site === 'tongyi' ? {} : SUFFIXES,
    chat,
    probe: (ctx) => clients[ctx.settings.site].probe(ctx),
    deleteConversation: (ref, ctx) => clients[ctx.settings.site].remove(ctx, ref),
    normalizeSecret: (raw) => normalizeSecret(settings.site, raw),
  }),
})
