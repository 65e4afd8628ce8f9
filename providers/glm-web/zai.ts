// The chat.z.ai side of glm-web (`site: intl`): one chat per conversation, the whole history
// with every call (the site keeps no server-side context we could rely on), signed completions.
import { randomUUID } from 'node:crypto'
import { invalidRequest, notSupported } from '../../src/kit/errors.js'
import { imageUrlsOf, lastUserMessage, textOf } from '../../src/kit/messages.js'
import { runProbe } from '../../src/kit/probe.js'
import type { CallContext, ChatRequest, ConversationRef, CredentialHealth, DeltaEvent } from '../../src/kit/types.js'
import { type GlmSettings, PROVIDER_ID, ZAI_MODELS } from './constants.js'
import { FeVersion, type ZaiTurn, createChat, deleteZaiChat, openCompletion, zaiAccount } from './zai-client.js'
import { ZaiStreamParser, parseZaiStream } from './zai-parse.js'

type Ctx = CallContext<GlmSettings>

/** chat.z.ai takes system, user and assistant turns as text. */
function historyOf(req: ChatRequest): ZaiTurn['messages'] {
  return req.messages
    .map((m) => ({ role: m.role === 'developer' ? 'system' : m.role === 'tool' ? 'user' : m.role, content: textOf(m.content) }))
    .filter((m) => m.content.trim())
}

export function turnOf(req: ChatRequest): ZaiTurn {
  const last = lastUserMessage(req.messages)
  const prompt = textOf(last?.content ?? null)
  if (!prompt.trim()) throw invalidRequest(`${PROVIDER_ID}: no user message to send`)
  if (imageUrlsOf(last?.content ?? null).length)
    throw notSupported(`${PROVIDER_ID}: image input on chat.z.ai needs its upload flow, which this adapter does not implement`)
  const spec = ZAI_MODELS.find((m) => m.id === req.model)
  const effort = req.reasoning?.effort === 'high' ? 'high' : undefined
  return {
    model: spec?.upstream ?? req.model,
    messages: historyOf(req),
    prompt,
    thinking: req.flags.has('think'),
    search: req.flags.has('search'),
    effort,
    chatId: req.continueFrom?.conversationId ?? req.conversationId,
  }
}

export function createZai() {
  const fe = new FeVersion()

  async function* chat(req: ChatRequest, ctx: Ctx): AsyncGenerator<DeltaEvent> {
    const turn = turnOf(req)
    const userMessageId = randomUUID()
    const chatId = turn.chatId ?? (await createChat(ctx, fe, turn, userMessageId))
    const { res, captchaPasted } = await openCompletion(ctx, fe, { ...turn, chatId }, userMessageId)
    // The chat is announced with the first answer event, so an error in the stream's first frame
    // (the captcha demand comes that way) still counts as "before any event" and fails over.
    let announced = false
    for await (const ev of parseZaiStream(res.body, new ZaiStreamParser({ captchaPasted }))) {
      if (!announced) {
        announced = true
        yield { type: 'conversation', id: chatId }
      }
      yield ev
    }
  }

  function probe(ctx: Ctx): Promise<CredentialHealth> {
    return runProbe(PROVIDER_ID, async () => {
      const account = await zaiAccount(ctx, fe)
      return account ? { ok: true, account } : { ok: true }
    })
  }

  const deleteConversation = (ref: ConversationRef, ctx: Ctx) => deleteZaiChat(ctx, fe, ref.conversationId)

  return { chat, probe, deleteConversation }
}
