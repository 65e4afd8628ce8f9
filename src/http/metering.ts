// One request's bill: reserve before relaying, then settle exactly once with the usage row and the
// chat record. Shared by /v1/chat/completions and the session routes.
import { performance } from 'node:perf_hooks'
import { InsufficientQuota, type Price } from '../core/billing.js'
import type { RelayStream } from '../core/relay.js'
import type { RoutePlan } from '../core/router.js'
import { findUser } from '../db/users.repo.js'
import { imageUrlsOf, lastUserMessage, textOf } from '../kit/messages.js'
import { estimatePromptTokens } from '../kit/tokens.js'
import type { ChatMessage } from '../kit/types.js'
import type { Services } from '../services.js'
import { ApiError } from './errors.js'
import type { RequestFacts } from './exchange.js'

export const RECORD_API_CHAT = 1
export const RECORD_SESSION_CHAT = 2

export interface MeterInput {
  userId: string | null
  model: string
  plan: RoutePlan
  messages: ChatMessage[]
  maxTokens?: number | undefined
  stream: boolean
  recordType: number
}

export interface MeterResult {
  relay?: RelayStream
  status: number
  errorClass?: string
  /** Bill what the relay produced: true for answers and for streams the client abandoned. */
  bill: boolean
}

export const insufficientQuota = (message: string) => new ApiError(402, message, 'insufficient_quota', 'insufficient_quota')

/** The user's default model for `auto` (or no model on the compatibility routes). */
export function modelFor(s: Services, requested: string | null | undefined, userId: string | null): string | undefined {
  if (requested && requested !== 'auto') return requested
  const mode = userId ? findUser(s.db, userId)?.mode : undefined
  return mode || s.config.sessions.default_model
}

/** Attachment URLs for the record; inline data is replaced by its media type (it can be megabytes). */
function attachments(message: ChatMessage | undefined): string {
  const urls = imageUrlsOf(message?.content ?? null).map((u) => {
    if (!u.startsWith('data:')) return u
    const comma = u.indexOf(',')
    return u.slice(0, comma > 0 ? Math.min(comma, 64) : 64)
  })
  return urls.length ? JSON.stringify(urls) : ''
}

export class Meter {
  private settled = false

  private constructor(
    private readonly s: Services,
    private readonly facts: RequestFacts,
    private readonly input: MeterInput,
    private readonly price: Price | undefined,
    private readonly hold: { id: number; userId: string; amount: number } | undefined,
  ) {}

  /** Reserve the estimate; throws a 402 ApiError when the balance cannot cover it. */
  static open(s: Services, facts: RequestFacts, input: MeterInput): Meter {
    const { userId, plan } = input
    if (!userId) return new Meter(s, facts, input, undefined, undefined)
    const price = s.billing.priceOf([input.model, ...plan.candidates.map((x) => x.spec.id)])
    if (!price && s.billing.requirePrice) throw new ApiError(403, `model ${input.model} has no price configured`, 'permission_error', 'model_not_priced')
    if (!price) return new Meter(s, facts, input, undefined, undefined)
    const estimate = s.billing.estimate(price, () => estimatePromptTokens(input.messages), input.maxTokens)
    try {
      return new Meter(s, facts, input, price, s.billing.reserve(userId, facts.requestId, estimate))
    } catch (err) {
      if (err instanceof InsufficientQuota) throw insufficientQuota(err.message)
      throw err
    }
  }

  /** Settle once; later calls are ignored and return 0. Returns what was charged. */
  finish(r: MeterResult): number {
    if (this.settled) return 0
    this.settled = true
    const { s, facts, input } = this
    const client = facts.client
    const relay = r.relay
    const usage = relay?.tally.usage(input.messages)
    const last = lastUserMessage(input.messages)
    const keep = s.config.records.store_content
    return s.billing.settle({
      userId: input.userId,
      hold: this.hold,
      price: this.price,
      usage: r.bill ? usage : undefined,
      usageRow: {
        requestId: facts.requestId,
        createdAt: Date.now(),
        clientKeyId: client.keyId,
        userId: input.userId,
        provider: relay?.instance.name ?? null,
        credentialId: relay?.credentialId ?? null,
        model: input.model,
        stream: input.stream,
        promptTokens: usage?.promptTokens ?? 0,
        completionTokens: usage?.completionTokens ?? 0,
        estimated: usage?.estimated ?? false,
        latencyMs: Math.round(performance.now() - facts.startedAt),
        ttftMs: relay?.tally.firstEventAt === undefined ? null : Math.round(relay.tally.firstEventAt - facts.startedAt),
        status: r.status,
        errorClass: r.errorClass ?? null,
      },
      record:
        r.bill && relay
          ? {
              userId: input.userId,
              question: keep ? textOf(last?.content ?? null) : '',
              answer: keep ? relay.tally.text : '',
              content: keep ? attachments(last) : '',
              recordType: input.recordType,
              createdAt: Date.now(),
            }
          : undefined,
    })
  }
}
