// The seed's chat-style routes (vision, Gemini, luyala): one chat turn each through the core
// chat service, which bills user_uuid and records the turn; the door only maps the seed's body to
// messages and the whole answer to the seed's `data`, in the same envelope and errors as door.ts.
import { z } from 'zod'
import { ChatFailure } from '../../../core/chat/failure.js'
import type { ChatService } from '../../../core/chat/service.js'
import { RECORD_API_CHAT } from '../../../core/meter.js'
import type { Logger } from '../../../kit/log.js'
import type { ChatMessage, ContentPart } from '../../../kit/types.js'
import { ApiError } from '../../errors.js'
import { checkLimits } from '../../json-limits.js'
import type { Door, Prepared, Reply } from '../door.js'
import { CLOSED, openTurn, wholeReply } from '../turn.js'
import { seedError, zidingyican } from './door.js'
import { type SeedBody, str } from './mappers.js'
import { STOCK_ROUTE } from './stock.js'

export interface SeedChatRoute {
  path: string
  summary: string
  fields: z.ZodObject
  data: z.ZodType
  /** The model when the body names none. */
  model: string
  messages(body: SeedBody): ChatMessage[]
  answer(text: string): Record<string, unknown>
  /** Checks the whole answer before it is billed (a refusal is the route's failure, unbilled). */
  accept?(text: string): ChatFailure | undefined
}

const num = (v: unknown) => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? Number(v) : undefined)

function prompt(body: SeedBody): string {
  const text = str(body.prompt)
  if (!text) throw ApiError.badRequest('prompt: required')
  return text
}

const promptOnly = (body: SeedBody): ChatMessage[] => [{ role: 'user', content: prompt(body) }]

/** The prompt and the images as one user message with image parts. */
function withImages(body: SeedBody): ChatMessage[] {
  const urls = Array.isArray(body.image_urls) ? body.image_urls.filter((u): u is string => typeof u === 'string' && !!u) : []
  const parts: ContentPart[] = [{ type: 'text', text: prompt(body) }, ...urls.map((url) => ({ type: 'image_url' as const, image_url: { url } }))]
  return [{ role: 'user', content: parts }]
}

/** luyala: `messages` as OpenAI's, or a `prompt`. */
function messagesOrPrompt(body: SeedBody): ChatMessage[] {
  if (Array.isArray(body.messages) && body.messages.length) return body.messages as ChatMessage[]
  return promptOnly(body)
}

const chatFields = z.object({
  prompt: z.string(),
  model: z.string().optional(),
  temperature: z.union([z.number(), z.string()]).optional(),
  max_tokens: z.union([z.number(), z.string()]).optional(),
})

export const SEED_CHAT_ROUTES: readonly SeedChatRoute[] = [
  {
    path: '/cozeZhsApi/dashscope/vision/chat',
    summary: 'DashScope vision (qwen-vl-max): a prompt about images',
    fields: chatFields.extend({ image_urls: z.array(z.string()) }),
    data: z.object({ content: z.string() }),
    model: 'qwen-vl-max',
    messages: withImages,
    answer: (content) => ({ content }),
  },
  {
    path: '/gemini/3/generate',
    summary: 'Gemini: one prompt, the whole answer',
    fields: chatFields,
    data: z.object({ content: z.string() }),
    model: 'gemini-3-pro-preview',
    messages: promptOnly,
    answer: (content) => ({ content }),
  },
  {
    // Luyala is an openai-compatible instance the operator configures; `luyala-chat` is the name
    // to declare there (or alias) when the body names no model.
    path: '/cozeZhsApi/luyala/chat/completions',
    summary: "A chat turn over the operator's luyala instance (messages or prompt)",
    fields: chatFields.partial().extend({ messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })).optional() }),
    data: z.object({ completion: z.string() }),
    model: 'luyala-chat',
    messages: messagesOrPrompt,
    answer: (completion) => ({ completion }),
  },
  STOCK_ROUTE,
]

async function handle(route: SeedChatRoute, chat: ChatService, req: Prepared, signal: AbortSignal): Promise<Reply> {
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw ApiError.badRequest('request body must be a JSON object')
  const body = req.body as SeedBody
  const user = typeof body.user_uuid === 'string' || typeof body.user_uuid === 'number' ? String(body.user_uuid) : ''
  if (!user) throw ApiError.badRequest('user_uuid: required (the user billed)')
  const extra = zidingyican(body.zidingyican)
  checkLimits(body, extra)
  const temperature = num(body.temperature)
  const maxTokens = num(body.max_tokens)
  const turn = await openTurn(chat, req, signal, {
    model: str(body.model) ?? route.model,
    request: {
      messages: route.messages(body),
      stream: false,
      extra,
      user,
      ...(temperature === undefined ? {} : { temperature }),
      ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
    },
    recordType: RECORD_API_CHAT,
    onBehalfOf: user,
    accept: route.accept,
  })
  if (!turn) return CLOSED
  return wholeReply(turn, async () => {
    for await (const _ of turn.events()) {
      // The turn gathers the text; the seed's answer is whole.
    }
    if (turn.outcome instanceof ChatFailure) throw turn.outcome
    return { kind: 'json', status: 200, body: { code: 0, msg: 'success', data: route.answer(turn.text) } }
  })
}

export function seedChatDoors(routes: readonly SeedChatRoute[], o: { chat: ChatService; log: Logger }): Door[] {
  return routes.map((route) => ({
    path: route.path,
    prefixed: false,
    adminActs: true,
    handle: (req, signal) => handle(route, o.chat, req, signal),
    error: (err) => seedError(err, o.log),
  }))
}
