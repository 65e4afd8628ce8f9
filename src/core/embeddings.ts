// The lifecycle of one embeddings request: model and permission, reservation on the prompt,
// the call with failover across credentials, the usage row and the record.
import { isAbortError } from '../kit/errors.js'
import { estimateTextTokens } from '../kit/tokens.js'
import type { EmbeddingRequest } from '../kit/types.js'
import type { Billing } from './billing.js'
import type { Caller } from './chat/caller.js'
import { ChatFailure } from './chat/failure.js'
import { Meter, RECORD_EMBEDDING } from './meter.js'
import type { Relay } from './relay.js'
import type { RoutePlan, Router } from './router.js'

export interface EmbeddingsDeps {
  router: Router
  relay: Relay
  billing: Billing
  storeContent: boolean
}

export interface EmbedInput {
  requestId: string
  clientRequestId?: string | undefined
  startedAt: number
  caller: Caller
  model: string
  request: Omit<EmbeddingRequest, 'model'>
  signal: AbortSignal
}

export interface Embedded {
  vectors: (number[] | string)[]
  promptTokens: number
  /** The model as the client named it. */
  model: string
}

/** Tokens of the input: strings through the tokenizer, token arrays as they are. */
function inputTokens(input: EmbeddingRequest['input']): number {
  let n = 0
  for (const item of input) n += typeof item === 'string' ? estimateTextTokens(item) : item.length
  return n
}

export class EmbeddingService {
  constructor(private readonly deps: EmbeddingsDeps) {}

  async embed(e: EmbedInput): Promise<Embedded> {
    const { caller, model } = e
    if (caller.allowedModels && !caller.allowedModels.includes(model)) {
      throw new ChatFailure('permission', `this API key may not use model ${model}`, { code: 'model_not_allowed' })
    }
    const plan = this.embeddingPlan(model)
    let estimate: number | undefined
    const tokens = () => {
      estimate ??= inputTokens(e.request.input)
      return estimate
    }
    const meter = await Meter.open(this.deps.billing, this.deps.storeContent, {
      requestId: e.requestId,
      clientRequestId: e.clientRequestId,
      startedAt: e.startedAt,
      keyId: caller.keyId,
      userId: caller.userId,
      model,
      plan,
      promptTokens: tokens,
      maxTokens: 0,
      stream: false,
      recordType: RECORD_EMBEDDING,
    })
    try {
      const served = await this.deps.relay.call({ plan, signal: e.signal, passthroughTokens: caller.passthroughTokens }, (ctx, candidate) => {
        const embed = candidate.instance.adapter.embed!.bind(candidate.instance.adapter)
        return embed({ ...e.request, model: candidate.spec.upstream ?? candidate.spec.id }, ctx)
      })
      const { vectors, promptTokens } = served.result
      const usage = { promptTokens: promptTokens ?? tokens(), completionTokens: 0, estimated: promptTokens === undefined }
      const first = e.request.input[0]
      const dimensions = typeof vectors[0] === 'string' ? undefined : vectors[0]?.length
      await meter.finish({
        status: 200,
        bill: true,
        served: {
          provider: served.candidate.instance.name,
          credentialId: served.credentialId,
          servedModel: served.candidate.spec.upstream ?? served.candidate.spec.id,
          usage,
          record: {
            question: typeof first === 'string' ? first.slice(0, 2000) : `${e.request.input.length} token arrays`,
            answer: '',
            content: JSON.stringify({ inputs: e.request.input.length, ...(dimensions ? { dimensions } : {}) }),
            toolCalls: null,
          },
        },
      })
      return { vectors, promptTokens: usage.promptTokens, model }
    } catch (err) {
      const failure = isAbortError(err) || e.signal.aborted ? new ChatFailure('aborted', 'the client went away') : ChatFailure.from(err)
      await meter.finish({ status: failure.status, errorClass: failure.kind === 'aborted' ? 'client_closed' : failure.kind, bill: false })
      throw failure
    }
  }

  /** The route's candidates that embed; a known model that does not is a clear 400. */
  private embeddingPlan(model: string): RoutePlan {
    const plan = this.deps.router.resolve(model)
    if (!plan) throw new ChatFailure('model_not_found', `The model \`${model}\` does not exist or is not enabled`, { param: 'model' })
    const candidates = plan.candidates.filter((c) => c.spec.kind === 'embedding' && c.instance.adapter.embed)
    if (!candidates.length) {
      throw new ChatFailure('invalid_request', `model ${model} is not an embedding model (declare it with kind: embedding)`, { param: 'model' })
    }
    return { ...plan, candidates }
  }
}
