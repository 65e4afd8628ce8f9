// ChatGLM calls: open the assistant stream (retrying once with a fresh access token) and delete.
import { protocolError } from '../../src/kit/errors.js'
import type { HttpResponse } from '../../src/kit/http.js'
import { imageUrlsOf, lastUserMessage, textOf } from '../../src/kit/messages.js'
import type { ChatMessage, ChatRequest } from '../../src/kit/types.js'
import { type GlmContext, type GlmTokens, glmHeaders, readEnvelope } from './auth.js'
import { ASSISTANT_ID_PATTERN, CONVERSATION_ID_PATTERN, PATHS, PROVIDER_ID } from './constants.js'
import { classifyEnvelope } from './parse.js'

/** A model name that is itself an assistant id selects that agent; every other name the default. */
export function assistantFor(model: string, defaultAssistant: string): string {
  return ASSISTANT_ID_PATTERN.test(model) ? model : defaultAssistant
}

export function chatModeFor(flags: ReadonlySet<string>): string | undefined {
  if (flags.has('deepresearch')) return 'deep_research'
  if (flags.has('think')) return 'zero'
  return undefined
}

/** GLM takes one user message: history folds into `role\ncontent` blocks; one question goes as-is. */
export function foldHistory(messages: readonly ChatMessage[]): string {
  const relevant = messages.filter((m) => textOf(m.content).trim())
  if (relevant.length === 1 && relevant[0]!.role === 'user') return textOf(relevant[0]!.content)
  return relevant.map((m) => `${m.role}\n${textOf(m.content)}`).join('\n\n')
}

export interface Plan {
  assistantId: string
  /** Upstream conversation continued, or '' for a new one. */
  conversationId: string
  prompt: string
  /** Images of the newest user message, uploaded before the chat call. */
  imageUrls: string[]
  /** The client named the conversation, so it is never deleted afterwards. */
  explicit: boolean
}

export function planRequest(req: ChatRequest, defaultAssistant: string): Plan {
  const explicit = req.conversationId && CONVERSATION_ID_PATTERN.test(req.conversationId) ? req.conversationId : ''
  const continued = req.continueFrom?.conversationId ?? explicit
  const assistantId =
    req.continueFrom?.parentId && ASSISTANT_ID_PATTERN.test(req.continueFrom.parentId)
      ? req.continueFrom.parentId
      : assistantFor(req.model, defaultAssistant)
  const last = lastUserMessage(req.messages)
  const prompt = continued ? textOf(last?.content ?? '') : foldHistory(req.messages)
  return { assistantId, conversationId: continued, prompt, imageUrls: imageUrlsOf(last?.content ?? null), explicit: Boolean(explicit) }
}

export function streamBody(
  plan: Plan,
  chatMode: string | undefined,
  networking: boolean,
  images: readonly Record<string, unknown>[] = [],
) {
  const content: Record<string, unknown>[] = [{ type: 'text', text: plan.prompt }]
  if (images.length) content.push({ type: 'image', image: images })
  return {
    assistant_id: plan.assistantId,
    conversation_id: plan.conversationId,
    project_id: '',
    chat_type: 'user_chat',
    messages: [{ role: 'user', content }],
    meta_data: {
      channel: '',
      chat_mode: chatMode,
      draft_id: '',
      if_plus_model: true,
      input_question_type: 'xxxx',
      is_networking: networking,
      is_test: false,
      platform: 'pc',
      quote_log_id: '',
      cogview: { rm_label_watermark: false },
    },
  }
}

const refererFor = (assistantId: string, defaultAssistant: string) =>
  assistantId === defaultAssistant
    ? 'https://chatglm.cn/main/alltoolsdetail'
    : `https://chatglm.cn/main/gdetail/${assistantId}`

/**
 * POST the chat and return the SSE response. A JSON envelope instead of a stream is an error;
 * a 401 envelope evicts the access token and the call is tried once more with a fresh one.
 */
export async function openStream(ctx: GlmContext, tokens: GlmTokens, body: ReturnType<typeof streamBody>) {
  for (let attempt = 0; ; attempt++) {
    const token = await tokens.accessToken(ctx)
    const res = await ctx.http.request(ctx.settings.base_url + PATHS.stream, {
      method: 'POST',
      json: body,
      headers: {
        ...glmHeaders(ctx, token, refererFor(body.assistant_id, ctx.settings.assistant_id)),
        Accept: 'text/event-stream',
      },
      signal: ctx.signal,
    })
    if (res.status < 300 && (res.header('content-type') ?? '').includes('text/event-stream')) return res
    const err = await nonStreamError(res)
    const expired = err.kind === 'credential_invalid' && !err.message.includes('40102')
    if (expired && attempt === 0) {
      tokens.evict(ctx)
      continue
    }
    throw err
  }
}

async function nonStreamError(res: HttpResponse) {
  const type = res.header('content-type') ?? ''
  if (type.includes('html')) {
    await res.discard()
    return protocolError(`${PROVIDER_ID}: HTML page instead of the chat stream (HTTP ${res.status}; challenge or block page)`, {
      provider: PROVIDER_ID,
      upstreamStatus: res.status,
    })
  }
  const env = await readEnvelope(res)
  return classifyEnvelope(env, res.status)
}

export async function deleteUpstream(ctx: GlmContext, tokens: GlmTokens, assistantId: string, conversationId: string) {
  const token = await tokens.accessToken(ctx)
  const res = await ctx.http.request(ctx.settings.base_url + PATHS.delete, {
    method: 'POST',
    json: { assistant_id: assistantId, conversation_id: conversationId },
    headers: glmHeaders(ctx, token),
    signal: ctx.signal,
  })
  const env = await readEnvelope(res)
  if (res.status >= 400 || !(Number(env.code) === 0 || Number(env.status) === 0)) throw classifyEnvelope(env, res.status)
}
