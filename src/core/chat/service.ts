// The core chat service: the whole lifecycle of one chat turn, whichever door it came through.
// Resolve who is billed and which model, check permission, claim the session, reserve the bill,
// relay with failover; the ChatTurn it returns settles itself when its events end.
import type { SessionRow } from '../../db/sessions.repo.js'
import { isAbortError } from '../../kit/errors.js'
import type { ChatMessage } from '../../kit/types.js'
import type { Billing } from '../billing.js'
import type { BaseRequest, Relay, RelayStream } from '../relay.js'
import type { RoutePlan, Router } from '../router.js'
import { SessionBusy, type Sessions } from '../sessions.js'
import type { Caller } from './caller.js'
import { ChatFailure } from './failure.js'
import { andThen } from '../../kit/maybe.js'
import { estimatePromptTokens } from '../../kit/tokens.js'
import { Meter } from '../meter.js'
import { ChatTurn } from './turn.js'

export interface ChatServiceDeps {
  router: Router
  relay: Relay
  billing: Billing
  sessions: Sessions
  /** The user's default model (users.mode), for `auto`. */
  userMode(userId: string): Promise<string | undefined>
  /** Model when the request names none (or `auto`) and the user has no mode. */
  defaultModel: string | undefined
  /** Keep question and answer text in records (records.store_content). */
  storeContent: boolean
}

export interface TurnInput {
  /** Freeway's own id for the request (the usage row's key). */
  requestId: string
  /** The client's X-Request-Id, kept beside ours. */
  clientRequestId?: string | undefined
  /** performance.now() when the request arrived. */
  startedAt: number
  caller: Caller
  /** The model the client named; absent or `auto` means the user's default. */
  model: string | null | undefined
  request: Omit<BaseRequest, 'requestedModel'>
  recordType: number
  signal: AbortSignal
  /** A user the caller names to act for (compatibility routes); absent means the key's own. */
  onBehalfOf?: string | null | undefined
  /** Continue a server-side session (created when new); its history goes before the messages. */
  session?: { id: string | undefined } | undefined
  /** Checks the complete answer before billing; a failure settles the turn unbilled (see TurnParts.accept). */
  accept?: ((text: string) => ChatFailure | undefined) | undefined
}

/** A turn's model (after `auto`) and its route plan. */
interface Routed {
  model: string
  plan: RoutePlan
}

export class ChatService {
  /** Turns that reached an upstream and have not settled yet. */
  private readonly active = new Set<ChatTurn>()
  private whenIdle: (() => void)[] = []

  constructor(private readonly deps: ChatServiceDeps) {}

  get running(): number {
    return this.active.size
  }

  /** Resolves true once no turn is running, or false when `ms` pass first. */
  idle(ms: number): Promise<boolean> {
    if (!this.active.size) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms)
      this.whenIdle.push(() => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  }

  /** Mark every running turn as ended by the relay; the caller then aborts their upstream calls. */
  stopAll(failure: ChatFailure): number {
    for (const turn of this.active) turn.markStopped(failure)
    return this.active.size
  }

  private settled = (turn: ChatTurn): void => {
    this.active.delete(turn)
    if (this.active.size) return
    const waiting = this.whenIdle
    this.whenIdle = []
    for (const wake of waiting) wake()
  }

  /**
   * Open a turn: resolve, permit, claim the session, reserve, relay. Only the relay is awaited on
   * the common path (a named model, no session, no price): the other steps answer synchronously
   * when they can, so a turn costs no promise it does not need.
   */
  async open(t: TurnInput): Promise<ChatTurn> {
    const userId = this.actingUser(t.caller, t.onBehalfOf)
    // A session's later turns keep the model it was started with unless they name another.
    const sessionModel = t.session?.id && (!t.model || t.model === 'auto') ? (await this.deps.sessions.get(t.session.id))?.model : undefined
    const routing = this.route(t.caller, sessionModel || t.model, userId)
    const routed = routing instanceof Promise ? await routing : routing
    const model = routed.model
    const plan = t.request.n ? severalChoices(routed.plan) : routed.plan

    const session = t.session ? await this.claim(t.session.id, t.caller, userId) : undefined
    try {
      const messages: ChatMessage[] = session ? [...session.messages, ...t.request.messages] : t.request.messages
      const opening = Meter.open(this.deps.billing, this.deps.storeContent, {
        requestId: t.requestId,
        clientRequestId: t.clientRequestId,
        startedAt: t.startedAt,
        keyId: t.caller.keyId,
        userId,
        model,
        plan,
        promptTokens: () => estimatePromptTokens(messages),
        maxTokens: t.request.max_tokens,
        stream: t.request.stream,
        recordType: t.recordType,
      })
      const meter = opening instanceof Promise ? await opening : opening
      const relay = await this.relay(t, plan, model, messages, meter)
      const question = session ? lastText(t.request.messages) : undefined
      const turn = new ChatTurn(
        {
          model,
          plan,
          relay,
          meter,
          delivery: t.request.stream ? 'stream' : 'whole',
          limit: meter.limit,
          accept: t.accept,
          sessions: this.deps.sessions,
          session: session ? { row: session, question: question ?? '' } : undefined,
        },
        this.settled,
      )
      if (!turn.outcome) this.active.add(turn)
      return turn
    } catch (err) {
      if (session) await this.deps.sessions.release(session.sessionId)
      throw err
    }
  }

  /** The relayed answer; a relay that fails settles the meter unbilled and throws the turn's failure. */
  private relay(t: TurnInput, plan: RoutePlan, model: string, messages: ChatMessage[], meter: Meter): Promise<RelayStream> {
    // When the balance bounds the answer, the upstream is told so (web chats are cut by the turn).
    const request: BaseRequest = { ...t.request, messages, requestedModel: model }
    if (meter.limit !== undefined) request.max_tokens = meter.limit
    return this.deps.relay.open({ plan, request, signal: t.signal, passthroughTokens: t.caller.passthroughTokens }).then(undefined, async (err: unknown) => {
      const failure = isAbortError(err) || t.signal.aborted ? new ChatFailure('aborted', 'the client went away') : ChatFailure.from(err)
      const errorClass = failure.kind === 'aborted' ? 'client_closed' : failure.kind
      await meter.finish({ status: failure.status, errorClass, bill: false })
      throw failure
    })
  }

  /**
   * The model a turn would run on, checked as open() checks it (auto, permission, route), for
   * doors that answer without a turn (token counting). Throws the same failures as open().
   */
  async checkModel(caller: Caller, requested: string | null | undefined): Promise<string> {
    return (await this.route(caller, requested, this.actingUser(caller, undefined))).model
  }

  /** The model and its route plan; synchronous unless the model is the user's default (a lookup). */
  private route(caller: Caller, requested: string | null | undefined, userId: string | null): Routed | Promise<Routed> {
    return andThen(this.modelFor(requested, userId), (model) => this.planFor(caller, model))
  }

  private planFor(caller: Caller, model: string): Routed {
    if (caller.allowedModels && !caller.allowedModels.includes(model)) {
      throw new ChatFailure('permission', `this API key may not use model ${model}`, { code: 'model_not_allowed' })
    }
    const plan = this.deps.router.resolve(model)
    if (!plan) throw new ChatFailure('model_not_found', `The model \`${model}\` does not exist or is not enabled`, { param: 'model' })
    // The common plan is all chat: no filtered copy for it.
    if (plan.candidates.every(isChat)) return { model, plan }
    const candidates = plan.candidates.filter(isChat)
    if (!candidates.length) {
      const kind = plan.candidates[0]?.spec.kind
      throw new ChatFailure('invalid_request', `model ${model} is an ${kind} model, not a chat model (use its own endpoint)`, { param: 'model' })
    }
    return { model, plan: { ...plan, candidates } }
  }

  /** A session the caller may see, or a 'session_not_found' failure. */
  async session(id: string, caller: Caller, onBehalfOf?: string | null): Promise<SessionRow> {
    const userId = this.actingUser(caller, onBehalfOf)
    const row = await this.deps.sessions.get(id)
    if (!row || !this.owns(caller, row, userId)) {
      throw new ChatFailure('session_not_found', 'session not found', { code: 'session_not_found' })
    }
    return row
  }

  /** Forget a session's history; refused while one of its turns runs. */
  async clearSession(id: string, caller: Caller, onBehalfOf?: string | null): Promise<SessionRow> {
    const row = await this.session(id, caller, onBehalfOf)
    if (this.deps.sessions.status(row) === 'busy') {
      throw new ChatFailure('session_busy', 'session is answering a message; clear it afterwards', { code: 'session_busy' })
    }
    await this.deps.sessions.clear(row.sessionId)
    return row
  }

  sessionStatus(row: SessionRow) {
    return this.deps.sessions.status(row)
  }

  /** The user billed: the key's own, or the one it names when the key may act for others. */
  private actingUser(caller: Caller, named: string | null | undefined): string | null {
    if (!named || named === caller.userId) return caller.userId
    if (!caller.actForOthers) {
      throw new ChatFailure('permission', 'this API key may not act for another user_id', { code: 'permission_denied' })
    }
    return named
  }

  private modelFor(requested: string | null | undefined, userId: string | null): string | Promise<string> {
    if (requested && requested !== 'auto') return requested
    if (!userId) return this.defaultModel(undefined)
    return this.deps.userMode(userId).then((mode) => this.defaultModel(mode))
  }

  private defaultModel(mode: string | undefined): string {
    const model = mode || this.deps.defaultModel
    if (!model) {
      throw new ChatFailure('invalid_request', 'model: required (auto means the user\'s default model (mode), and there is none; sessions.default_model is unset)', {
        param: 'model',
      })
    }
    return model
  }

  /** A user's sessions are theirs; a session of a key without a user belongs to that key alone. */
  private owns(caller: Caller, row: SessionRow, userId: string | null): boolean {
    if (caller.actForOthers) return true
    if (row.userId !== userId) return false
    return userId !== null || row.keyId === caller.keyId
  }

  private async claim(id: string | undefined, caller: Caller, userId: string | null): Promise<SessionRow> {
    const existing = id ? await this.deps.sessions.get(id) : undefined
    if (existing && !this.owns(caller, existing, userId)) {
      throw new ChatFailure('session_not_found', 'session not found', { code: 'session_not_found' })
    }
    try {
      return await this.deps.sessions.begin(id, userId, caller.keyId)
    } catch (err) {
      if (err instanceof SessionBusy) throw new ChatFailure('session_busy', err.message, { code: 'session_busy' })
      throw err
    }
  }
}

/** A candidate that answers chat (not an embedding or media model). */
const isChat = (c: RoutePlan['candidates'][number]) => (c.spec.kind ?? 'chat') === 'chat'

function lastText(messages: readonly ChatMessage[]): string | undefined {
  const last = messages.at(-1)
  return typeof last?.content === 'string' ? last.content : undefined
}

/** Only upstreams that answer several choices in one call can serve n > 1; web chats answer once. */
function severalChoices(plan: RoutePlan): RoutePlan {
  const candidates = plan.candidates.filter((c) => c.instance.adapter.multipleChoices)
  if (candidates.length) return { ...plan, candidates }
  const names = [...new Set(plan.candidates.map((c) => c.instance.name))].join(', ')
  throw new ChatFailure('invalid_request', `n > 1 is not supported by ${names}: it answers one choice per request`, { param: 'n', code: 'unsupported_value' })
}
