// One request's bill, whatever was asked (a chat turn, embeddings, later media): reserve before
// the upstream call, then settle exactly once with the usage row and the record.
import { performance } from 'node:perf_hooks'
import { type Billing, type Hold, InsufficientQuota, type Price, type Settlement } from './billing.js'
import { ChatFailure } from './chat/failure.js'
import type { RoutePlan } from './router.js'
import type { Usage } from './tally.js'

export const RECORD_API_CHAT = 1
export const RECORD_SESSION_CHAT = 2
export const RECORD_IMAGE = 3
/** Speech to text and music. */
export const RECORD_AUDIO = 4
export const RECORD_VIDEO = 5
export const RECORD_EMBEDDING = 6
/** A WebSocket chat turn (the seed's realtime routes). */
export const RECORD_REALTIME_CHAT = 7
/** A /communicate command's turn (agent steps included). */
export const RECORD_COMMUNICATE = 8

export interface MeterInput {
  requestId: string
  clientRequestId?: string | undefined
  /** performance.now() when the request arrived. */
  startedAt: number
  keyId: number | null
  userId: string | null
  model: string
  plan: RoutePlan
  /** The prompt's token estimate; computed only when the price needs it. */
  promptTokens: () => number
  /** Completion tokens the client allows (max_tokens); 0 for requests that produce no answer text. */
  maxTokens?: number | undefined
  stream: boolean
  recordType: number
}

/** What the upstream served, for the usage row and the record. */
export interface Served {
  provider: string
  credentialId: number | null
  servedModel: string
  usage: Usage
  /** performance.now() of the first event, for streams. */
  firstEventAt?: number | undefined
  record: { question: string; answer: string; content: string; toolCalls: unknown[] | null }
}

export interface MeterResult {
  served?: Served | undefined
  status: number
  errorClass?: string
  /** Bill what was served: true for answers and for streams the client abandoned. */
  bill: boolean
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

  /**
   * Reserve the estimate; throws ChatFailure 'balance' when the balance cannot cover it. A request
   * nobody pays for (no user, or no price) gets its meter at once, without a promise.
   */
  static open(billing: Billing, storeContent: boolean, input: MeterInput): Meter | Promise<Meter> {
    const { userId, plan } = input
    if (!userId) return new Meter(billing, storeContent, input, undefined, undefined)
    const price = billing.priceOf([input.model, ...plan.candidates.map((x) => x.spec.id)])
    if (!price && billing.requirePrice) {
      return Meter.refused(billing, input, new ChatFailure('permission', `model ${input.model} has no price configured`, { code: 'model_not_priced' }))
    }
    if (!price) return new Meter(billing, storeContent, input, undefined, undefined)
    return Meter.reserve(billing, storeContent, input, userId, price)
  }

  private static async reserve(billing: Billing, storeContent: boolean, input: MeterInput, userId: string, price: Price): Promise<Meter> {
    const prompt = price.prompt > 0 ? input.promptTokens() : 0
    try {
      const { hold, limit } = await billing.reserveTurn(userId, input.requestId, price, prompt, input.maxTokens)
      return new Meter(billing, storeContent, input, price, hold, limit)
    } catch (err) {
      if (err instanceof InsufficientQuota) return Meter.refused(billing, input, new ChatFailure('balance', err.message, { code: 'insufficient_quota' }))
      throw err
    }
  }

  /**
   * A request refused before the upstream (no balance, no price) still gets its usage row, charged
   * nothing, like every other failure: records, the console and /metrics count it with its status.
   */
  private static async refused(billing: Billing, input: MeterInput, failure: ChatFailure): Promise<never> {
    await new Meter(billing, false, input, undefined, undefined).finish({ status: failure.status, errorClass: failure.kind, bill: false })
    throw failure
  }

  /**
   * Settle once; later calls are ignored and return 0. Returns what was charged. A settlement the
   * database refused is logged and charges nothing (the hold is given back when it goes stale).
   */
  finish(r: MeterResult): number | Promise<number> {
    if (this.settled) return 0
    this.settled = true
    let settling: number | Promise<number>
    try {
      settling = this.billing.settle(this.settlement(r))
    } catch (err) {
      return this.billing.reportFailure('settle', err)
    }
    return settling instanceof Promise ? settling.catch((err: unknown) => this.billing.reportFailure('settle', err)) : settling
  }

  private settlement(r: MeterResult): Settlement {
    const { input } = this
    const served = r.served
    const usage = served?.usage
    const keep = this.storeContent
    return {
      recordType: input.recordType,
      provider: served?.provider ?? input.plan.candidates[0]?.instance.name,
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
        provider: served?.provider ?? null,
        credentialId: served?.credentialId ?? null,
        model: input.model,
        servedModel: served?.servedModel ?? null,
        stream: input.stream,
        promptTokens: usage?.promptTokens ?? 0,
        completionTokens: usage?.completionTokens ?? 0,
        estimated: usage?.estimated ?? false,
        latencyMs: Math.round(performance.now() - input.startedAt),
        ttftMs: served?.firstEventAt === undefined ? null : Math.round(served.firstEventAt - input.startedAt),
        status: r.status,
        errorClass: r.errorClass ?? null,
      },
      record:
        r.bill && served
          ? {
              userId: input.userId,
              question: keep ? served.record.question : '',
              answer: keep ? served.record.answer : '',
              content: keep ? served.record.content : '',
              toolCalls: served.record.toolCalls,
              model: input.model,
              servedModel: served.servedModel,
              recordType: input.recordType,
              createdAt: Date.now(),
            }
          : undefined,
    }
  }
}
