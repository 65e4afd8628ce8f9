// Shared driving code for the hixai-web tests: a fake per test, contexts as the core builds them.
import hixai, { settingsSchema } from '../../providers/hixai-web/index.js'
import type { ChatMessage, ChatRequest, DeltaEvent } from '../../src/kit/types.js'
import { collectEvents, createAdapter, makeContext } from '../helpers/adapter-context.js'
import type { FakeHix } from './hixai-web.js'

export const cookie = (token: string) => `__Secure-next-auth.session-token=${token}`

export function harness(getFake: () => FakeHix) {
  const adapter = () => createAdapter(hixai, getFake().url)
  /** The context the core builds: this provider's parsed settings plus the common ones. */
  const context = (token = 'tok-0', settings: Record<string, unknown> = {}, state: Record<string, unknown> = {}, signal?: AbortSignal) =>
    makeContext({
      baseUrl: getFake().url,
      secret: cookie(token),
      settings: { ...settingsSchema.parse({}), ...settings },
      state,
      ...(signal ? { signal } : {}),
    })
  const log = () => getFake().state.log
  return {
    adapter,
    context,
    chatPosts: () => log().filter((l) => l.path === '/api/hix/chat').map((l) => l.body as Record<string, unknown>),
    creates: () => log().filter((l) => l.path.includes('createChat')),
  }
}

export function request(model: string, messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model, requestedModel: model, flags: new Set(), messages, stream: true, extra: {}, ...extra }
}

export const user = (content: ChatMessage['content']): ChatMessage => ({ role: 'user', content })

/** The error a chat or call ends with, and the events it yielded before. */
export async function failure(work: AsyncIterable<DeltaEvent> | Promise<unknown>) {
  const events: DeltaEvent[] = []
  try {
    if (Symbol.asyncIterator in work) for await (const e of work) events.push(e)
    else await work
  } catch (err) {
    return Object.assign(err as Error & { kind?: string }, { before: events })
  }
  throw new Error(`expected a failure, got ${JSON.stringify(events)}`)
}

export { collectEvents }
