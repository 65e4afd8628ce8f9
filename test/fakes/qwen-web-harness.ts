// Test wiring for qwen-web: an adapter + context per site, pointed at the fake's single origin.
import qwen, { settingsSchema } from '../../providers/qwen-web/index.js'
import type { ChatMessage, ChatRequest } from '../../src/kit/types.js'
import { createAdapter, makeContext } from '../helpers/adapter-context.js'
import type { QwenFake } from './qwen-web.js'

export const user = (content: string): ChatMessage => ({ role: 'user', content })
export const assistant = (content: string): ChatMessage => ({ role: 'assistant', content })

export function qwenRequest(model: string, messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model, requestedModel: model, flags: new Set(), messages, stream: true, extra: {}, ...extra }
}

/** An unsigned JWT shaped like chat.qwen.ai's (the fake checks only that it is registered). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`
}

export function qwenSetup(
  fake: QwenFake,
  options: { site?: 'qianwen' | 'tongyi' | 'intl'; secret: string; settings?: Record<string, unknown>; signal?: AbortSignal },
) {
  const raw = { site: options.site ?? 'qianwen', api_url: fake.url, tongyi_url: fake.url, intl_url: fake.url, ...options.settings }
  const settings = settingsSchema.parse(raw)
  const adapter = createAdapter(qwen, fake.url, { ...raw, ...settings })
  const ctx = makeContext({
    baseUrl: fake.url,
    secret: adapter.normalizeSecret!(options.secret),
    settings: { ...raw, ...settings },
    ...(options.signal ? { signal: options.signal } : {}),
  })
  /** The upstream name the core would pass for a public model id. */
  const upstreamOf = (id: string) => adapter.models.find((m) => m.id === id)?.upstream ?? id
  return { adapter, ctx, upstreamOf }
}
