// Starting or continuing one hix chat: which question to send, which search, which image.
import { invalidRequest } from '../../src/kit/errors.js'
import { flattenMessages, lastUserMessage, textOf } from '../../src/kit/messages.js'
import type { ChatMessage, ChatRequest } from '../../src/kit/types.js'
import { type ChatBody, type HixContext, createChat, deleteChat, loadImage, openChatStream, uploadImage } from './client.js'
import { type HixModel, PROVIDER_ID, SEARCH_TYPES, type SearchFlag } from './constants.js'

const length = (s: string) => [...s].length

/** The hix `searchType` a suffix asks for; the first of search, news, academic wins. */
export function searchTypeOf(flags: ReadonlySet<string>): string | undefined {
  const flag = (Object.keys(SEARCH_TYPES) as SearchFlag[]).find((f) => flags.has(f))
  return flag ? SEARCH_TYPES[flag] : undefined
}

const tooLong = (model: HixModel) =>
  invalidRequest(`${PROVIDER_ID}: ${model.id} accepts at most ${model.maxInput} characters per question`, { provider: PROVIDER_ID })

/**
 * The first question of a new chat. hix keeps history server-side only for its own chats, so
 * earlier turns are folded in, oldest dropped first when the bot's input limit is reached.
 */
export function firstQuestion(messages: readonly ChatMessage[], model: HixModel, fold: boolean): string {
  const last = lastUserMessage(messages)
  const latest = textOf(last?.content ?? '')
  if (length(latest) > model.maxInput) throw tooLong(model)
  if (!fold) return latest
  const upToLast = messages.slice(0, messages.lastIndexOf(last!) + 1)
  for (let start = 0; start < upToLast.length; start++) {
    const folded = flattenMessages(upToLast.slice(start))
    if (length(folded) <= model.maxInput) return folded
  }
  return latest
}

/** Only the last image of the newest user message is sent, as the hix web page allows one file. */
export async function imageFileUrl(ctx: HixContext, urls: readonly string[]): Promise<string> {
  const url = urls[urls.length - 1]
  if (!url) return ''
  return uploadImage(ctx, await loadImage(ctx, url))
}

export interface OpenConversation {
  chatId: string
  stream: AsyncIterable<Uint8Array>
}

/** Continue `existing` with the newest question, or create a chat and send the folded history. */
export async function openConversation(
  ctx: HixContext,
  req: ChatRequest,
  model: HixModel,
  existing: string | undefined,
  fileUrl: string,
): Promise<OpenConversation> {
  let question: string
  if (existing) {
    question = textOf(lastUserMessage(req.messages)!.content)
    if (length(question) > model.maxInput) throw tooLong(model)
  } else {
    question = firstQuestion(req.messages, model, ctx.settings.fold_history)
  }
  const chatId = existing ?? (await createChat(ctx, model.botId))
  const searchType = searchTypeOf(req.flags)
  const body: ChatBody = { chatId, question, fileUrl, ...(searchType ? { search: true, searchType } : {}) }
  try {
    return { chatId, stream: await openChatStream(ctx, model.id, body) }
  } catch (err) {
    // A chat we just made and could not use would only clutter the account.
    if (!existing) await deleteChat(ctx, chatId, AbortSignal.timeout(ctx.settings.timeout_ms)).catch(() => undefined)
    throw err
  }
}
