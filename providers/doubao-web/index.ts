// doubao-web: www.doubao.com (or, with `site: dola`, the international www.dola.com) through the
// browser protocol. The newer /chat/completion stream is the default; `protocol: samantha`
// selects doubao.com's legacy /samantha/chat/completion one.
import { z } from 'zod'
import { invalidRequest, notSupported } from '../../src/kit/errors.js'
import { imageUrlsOf, lastUserMessage, textOf } from '../../src/kit/messages.js'
import { runProbe } from '../../src/kit/probe.js'
import { defineProvider } from '../../src/kit/types.js'
import type { ChatMessage, ChatRequest, ConversationRef, CredentialHealth, DeltaEvent } from '../../src/kit/types.js'
import { normalizeSecret } from './auth.js'
import { type Ctx, type DoubaoSettings, accountInfo, deleteThread, openStream } from './client.js'
import {
  DEFAULT_BASE_URL,
  MODELS,
  PROVIDER_ID,
  SAMANTHA_AID,
  SUFFIXES,
  THINK_COT,
  THINK_FAST,
  type ThinkLevel,
} from './constants.js'
import { CompletionStreamParser, SamanthaStreamParser, parseDoubaoStream } from './parse.js'

export const settingsSchema = z
  .object({
    /** `doubao` (www.doubao.com) or `dola` (www.dola.com, the international site). */
    site: z.enum(['doubao', 'dola']).default('doubao'),
    /** `completion` (current web app) or `samantha` (doubao.com's legacy numeric-event stream). */
    protocol: z.enum(['completion', 'samantha']).default('completion'),
    /** App id of /chat/completion; unset = the site's own. */
    completion_aid: z.string().optional(),
    samantha_aid: z.string().default(SAMANTHA_AID),
    /** Assistant to talk to; unset = the site's default bot. */
    bot_id: z.string().optional(),
    dola_language: z.string().default('zh-Hant'),
    dola_region: z.string().default('JP'),
  })
  .refine((s) => !(s.site === 'dola' && s.protocol === 'samantha'), {
    message: 'site dola has no samantha protocol: leave protocol at completion',
    path: ['protocol'],
  }) satisfies z.ZodType<DoubaoSettings>

export function thinkLevelFor(req: ChatRequest): ThinkLevel {
  const spec = MODELS.find((m) => m.id === req.model)
  let level = (spec?.meta?.think as ThinkLevel | undefined) ?? THINK_FAST
  if (req.flags.has('thinking') && level === THINK_FAST) level = THINK_COT
  if (req.flags.has('nothinking')) level = THINK_FAST
  return level
}

/** A new conversation gets the whole history in ChatML-like framing; one question goes as is. */
export function foldHistory(messages: readonly ChatMessage[]): string {
  const relevant = messages.filter((m) => textOf(m.content).trim())
  if (relevant.length === 1 && relevant[0]!.role === 'user') return textOf(relevant[0]!.content)
  return `${relevant.map((m) => `<|im_start|>${m.role}\n${textOf(m.content)}\n`).join('')}<|im_end|>`
}

function continuationOf(req: ChatRequest): ConversationRef | undefined {
  if (req.continueFrom) return req.continueFrom
  return req.conversationId ? { conversationId: req.conversationId } : undefined
}

async function* chat(req: ChatRequest, ctx: Ctx): AsyncGenerator<DeltaEvent> {
  const last = lastUserMessage(req.messages)
  if (!last || !textOf(last.content).trim()) throw invalidRequest(`${PROVIDER_ID}: no user message to send`)
  if (imageUrlsOf(last.content).length)
    throw notSupported(`${PROVIDER_ID}: image input needs an upload flow this adapter does not implement`)
  const continuing = continuationOf(req)
  const res = await openStream(ctx, {
    prompt: continuing ? textOf(last.content) : foldHistory(req.messages),
    think: thinkLevelFor(req),
    conversationId: continuing?.conversationId,
    sectionId: continuing?.parentId,
  })
  const parser =
    ctx.settings.protocol === 'samantha'
      ? new SamanthaStreamParser()
      : new CompletionStreamParser({ chunkDeltas: ctx.settings.site === 'dola' })
  // One-shot clean-up (multi_turn off) is the core's job, through deleteConversation.
  let announced = false
  for await (const ev of parseDoubaoStream(res.body, parser)) {
    if (ev.type === 'conversation') {
      if (announced) continue
      announced = true
    } else if (!announced && continuing) {
      // The upstream did not acknowledge; the conversation we continued is still the one.
      announced = true
      yield { type: 'conversation', id: continuing.conversationId, ...(continuing.parentId ? { parentId: continuing.parentId } : {}) }
    }
    yield ev
  }
}

function probe(ctx: Ctx): Promise<CredentialHealth> {
  return runProbe(PROVIDER_ID, async () => {
    const info = await accountInfo(ctx)
    return { ok: true, account: info.name ?? info.userId }
  })
}

export default defineProvider<DoubaoSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  defaultConcurrency: 1,
  settings: settingsSchema,
  create: (name) => ({
    id: name,
    credentialKind: 'cookie',
    models: MODELS,
    suffixes: SUFFIXES,
    chat,
    probe,
    deleteConversation: (ref, ctx) => deleteThread(ctx, ref.conversationId),
    normalizeSecret,
  }),
})
