// One turn's bill: reserve before relaying, then settle exactly once with the usage row and the
// chat record.
import { performance } from 'node:perf_hooks'
import { imageUrlsOf, lastUserMessage, textOf } from '../../kit/messages.js'
import { estimatePromptTokens } from '../../kit/tokens.js'
import type { ChatMessage } from '../../kit/types.js'
import { type Billing, type Hold, InsufficientQuota, type Price } from '../billing.js'
import type { RelayStream } from '../relay.js'
import type { RoutePlan } from '../router.js'
import { ChatFailure } from './failure.js'

export const RECORD_API_CHAT = 1
export const RECORD_SESSION_CHAT = 2

export interface MeterInput {
  requestId: string
  clientRequestId?: string | undefined
  /** performance.now() when the request arrived. */
  startedAt: number
  keyId: number | null
  userId: string | null
  model: string
  plan: RoutePlan
  messages: ChatMessage[]
  maxTokens?: number | undefined
  stream: boolean
  recordType: number
}

export interface MeterResult {
  relay?: RelayStream | undefined
  status: number
  errorClass?: string
  /** Bill what the relay produced: true for answers and for streams the client abandoned. */
  bill: boolean
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

/** The answer's tool calls in OpenAI's shape, for the record; null when it made none. */
function toolCallsOf(relay: RelayStream): unknown[] | null {
  const calls = relay.tally.toolCalls
  if (!calls.size) return null
  return [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, c]) => ({ id: c.id ?? `call_${index}`, type: 'function', function: { name: c.name, arguments: c.args } }))
}

export class Meter {
  private settled = false

  private constructor(
    private readonly billing: Billing,
    private readonly storeContent: boolean,
    private readonly input: MeterInput,
    private readonly price: Price | undefined,
    private readonly hold: Hold | undefined,
    /** Completion tokens the balance affords, when it, not the client, bounds the answer. */
    readonly limit?: number | undefined,
  ) {}

  /** Reserve the estimate; throws ChatFailure 'balance' when the balance cannot cover it. */
  static open(billing: Billing, storeContent: boolean, input: MeterInput): Meter {
    const { userId, plan } = input
    if (!userId) return new Meter(billing, storeContent, input, undefined, undefined)
    const price = billing.priceOf([input.model, ...plan.candidates.map((x) => x.spec.id)])
    if (!price && billing.requirePrice) {
      throw new ChatFailure('permission', `model ${input.model} has no price configured`, { code: 'model_not_priced' })
    }
    if (!price) return new Meter(billing, storeContent, input, undefined, undefined)
    const prompt = price.prompt > 0 ? estimatePromptTokens(input.messages) : 0
    try {
      const { hold, limit } = billing.reserveTurn(userId, input.requestId, price, prompt, input.maxTokens)
      return new Meter(billing, storeContent, input, price, hold, limit)
    } catch (err) {
      if (err instanceof InsufficientQuota) throw new ChatFailure('balance', err.message, { code: 'insufficient_quota' })
      throw err
    }
  }

  /** Settle once; later calls are ignored and return 0. Returns what was charged. */
  finish(r: MeterResult): number {
    if (this.settled) return 0
    this.settled = true
    const { input } = this
    const relay = r.relay
    const usage = relay?.tally.usage(input.messages)
    const last = lastUserMessage(input.messages)
    const keep = this.storeContent
    return this.billing.settle({
      userId: input.userId,
      hold: this.hold,
      price: this.price,
      usage: r.bill ? usage : undefined,
      usageRow: {
        requestId: input.requestId,
        clientRequestId: input.clientRequestId ?? null,
        createdAt: Date.now(),
        clientKeyId: input.keyId,
        userId: input.userId,
        provider: relay?.instance.name ?? null,
        credentialId: relay?.credentialId ?? null,
        model: input.model,
        servedModel: relay?.request.model ?? null,
        stream: input.stream,
        promptTokens: usage?.promptTokens ?? 0,
        completionTokens: usage?.completionTokens ?? 0,
        estimated: usage?.estimated ?? false,
        latencyMs: Math.round(performance.now() - input.startedAt),
        ttftMs: relay?.tally.firstEventAt === undefined ? null : Math.round(relay.tally.firstEventAt - input.startedAt),
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
              toolCalls: toolCallsOf(relay),
              model: input.model,
              servedModel: relay.request.model,
              recordType: input.recordType,
              createdAt: Date.now(),
            }
          : undefined,
    })
  }
}
