// An in-process provider for core tests (routing, pool, multi-turn) where the upstream protocol
// is beside the point. Each credential secret picks a behaviour.
import { credentialInvalid, rateLimited, upstreamUnavailable } from '../../src/kit/errors.js'
import { textOf } from '../../src/kit/messages.js'
import type { ChatRequest, ConversationRef, DeltaEvent, ModelSpec } from '../../src/kit/types.js'
import { defineProvider } from '../../src/kit/types.js'

export interface MemoryCall {
  secret: string
  model: string
  flags: string[]
  continueFrom?: ConversationRef
  lastUser: string
}

export function memoryProvider(id: string, models: ModelSpec[], extra: { canServe?: boolean; dynamic?: RegExp } = {}) {
  const calls: MemoryCall[] = []
  const deleted: string[] = []
  let counter = 0
  const def = defineProvider<Record<string, unknown>>({
    id,
    defaultBaseUrl: 'http://127.0.0.1:9',
    create: (name) => ({
      id: name,
      credentialKind: 'token' as const,
      models,
      async *chat(req: ChatRequest, ctx): AsyncGenerator<DeltaEvent> {
        const secret = ctx.credential.secret
        calls.push({
          secret,
          model: req.model,
          flags: [...req.flags],
          ...(req.continueFrom ? { continueFrom: req.continueFrom } : {}),
          lastUser: textOf(req.messages.at(-1)?.content ?? ''),
        })
        if (secret.startsWith('dead')) throw credentialInvalid(`${name}: token expired`)
        if (secret.startsWith('limited')) throw rateLimited(`${name}: too many requests`, { retryAfterMs: 60_000 })
        if (secret.startsWith('flaky')) throw upstreamUnavailable(`${name}: 502 from upstream`)
        const conversation = req.continueFrom?.conversationId ?? `conv-${++counter}`
        yield { type: 'conversation', id: conversation, parentId: `msg-${++counter}` }
        yield { type: 'reasoning', text: 'thinking…' }
        yield { type: 'text', text: `answer from ${secret} to ${textOf(req.messages.at(-1)?.content ?? '')}` }
        yield { type: 'finish', reason: 'stop' }
      },
      async deleteConversation(ref: ConversationRef) {
        deleted.push(ref.conversationId)
      },
      ...(extra.canServe ? { canServe: (_m: ModelSpec, c: { credit?: number | null }) => (c.credit ?? 0) >= 10 } : {}),
      ...(extra.dynamic ? { resolveModel: (n: string) => (extra.dynamic!.test(n) ? { id: n, suffixes: ['think'] } : undefined) } : {}),
    }),
  })
  return { def, calls, deleted }
}
