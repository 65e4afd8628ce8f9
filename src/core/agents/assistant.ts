// Seed 004's chat-bot commands, whatever door carries them (/communicate today): plain text and
// /chat chat in the user's conversation, /mode /balance /state /clear /retry look after it,
// /task and /mcp run the agent loop with the MCP tools, /photo and /video submit media tasks,
// /help lists them. Every model call is a core chat turn or a media task, billed and recorded as
// such; the commands that call no model only read or change the user's state.
import { performance } from 'node:perf_hooks'
import type { Db } from '../../db/client.js'
import { insertRecords } from '../../db/records.repo.js'
import { findUser, setMode } from '../../db/users.repo.js'
import type { ChatMessage, ContentPart, MediaOutput } from '../../kit/types.js'
import type { Caller } from '../chat/caller.js'
import { ChatFailure } from '../chat/failure.js'
import type { ChatService } from '../chat/service.js'
import { timeOrderedUuid } from '../ids.js'
import type { McpHub } from '../mcp/hub.js'
import { RECORD_COMMUNICATE } from '../meter.js'
import type { Sessions } from '../sessions.js'
import type { TaskEngine } from '../tasks/engine.js'
import { type AgentEvent, PLAN_FIRST, runAgent } from './agent.js'

export type AssistantMessage = { type: 'message'; text: string; data?: unknown }
export type AssistantEvent = AgentEvent | AssistantMessage

export interface CommandInput {
  caller: Caller
  onBehalfOf: string | undefined
  /** The text: a command (/mode …) or a message to chat with. */
  prompt: string
  /** An uploaded file sent with the prompt (image or audio). */
  upload?: { bytes: Buffer; type: string } | undefined
  signal: AbortSignal
}

export interface AssistantDeps {
  chat: ChatService
  mcp: McpHub
  sessions: Sessions
  db: Db
  /** Read at each command (runtime configuration may change them). */
  agents(): { model: string | undefined; maxSteps: number }
  tasks: TaskEngine
  /** The models of /photo (an upload makes it an edit) and /video, and how long a command waits for its task. */
  media(): { photoModel: string; videoModel: string; waitMs: number }
  /** records.store_content, read at each command. */
  storeContent(): boolean
}

export const COMMANDS: Readonly<Record<string, string>> = {
  '/chat <text>': 'chat with your mode (plain text does the same)',
  '/mode [model]': 'show your model, or set it',
  '/balance': 'your token balance',
  '/state': 'mode, balance and conversation length',
  '/clear': 'forget the conversation',
  '/retry': 'ask the last question again',
  '/task <goal>': 'an agent with the MCP tools works towards the goal',
  '/mcp <goal>': 'plan with the MCP tools first, then run',
  '/photo <prompt>': 'image generation (with an uploaded image: edit it)',
  '/video <prompt>': 'video generation (with an uploaded image: animate it)',
  '/help': 'this list',
}

const invalid = (message: string) => new ChatFailure('invalid_request', message, { param: 'prompt' })

export class Assistant {
  constructor(private readonly deps: AssistantDeps) {}

  /** The command's events; failures before the first event are the request's, later ones the stream's. */
  async *run(input: CommandInput): AsyncGenerator<AssistantEvent> {
    const text = input.prompt.trim()
    const match = /^(\/[a-z]+)(?:\s+([\s\S]*))?$/i.exec(text)
    const command = match ? match[1]!.toLowerCase() : '/chat'
    const rest = match ? (match[2] ?? '').trim() : text
    const user = input.onBehalfOf ?? input.caller.userId
    switch (command) {
      case '/chat':
        if (!rest) throw invalid('/chat needs a message: /chat <text>')
        return yield* this.chat(input, rest)
      case '/mode':
        return yield await this.noted(input, user, text, await this.mode(input, user, rest))
      case '/balance':
        return yield await this.noted(input, user, text, await this.balance(this.needUser(user)))
      case '/state':
        return yield await this.noted(input, user, text, await this.state(input, user))
      case '/clear':
        await this.clear(input)
        return yield await this.noted(input, user, text, { type: 'message', text: 'conversation cleared' })
      case '/retry':
        return yield* this.chat(input, await this.lastQuestion(input))
      case '/task':
      case '/mcp':
        if (!rest) throw invalid(`${command} needs a goal: ${command} <goal>`)
        return yield* this.agent(input, user, rest, command === '/mcp')
      case '/help':
        return yield await this.noted(input, user, text, { type: 'message', text: Object.entries(COMMANDS).map(([c, what]) => `${c} — ${what}`).join('\n'), data: COMMANDS })
      case '/photo':
      case '/video':
        if (!rest) throw invalid(`${command} needs a prompt: ${command} <prompt>`)
        return yield* this.media(input, command === '/photo' ? 'image' : 'video', rest)
      default:
        throw invalid(`unknown command ${command}; /help lists the commands`)
    }
  }

  /** The user's conversation: one server-side session per user (or per key without a user). */
  private sessionId(input: CommandInput): string {
    const user = input.onBehalfOf ?? input.caller.userId
    return `communicate:${user ? `user:${user}` : input.caller.keyId !== null ? `key:${input.caller.keyId}` : 'anonymous'}`
  }

  private async *chat(input: CommandInput, text: string): AsyncGenerator<AssistantEvent> {
    const turn = await this.deps.chat.open({
      requestId: timeOrderedUuid(),
      startedAt: performance.now(),
      caller: input.caller,
      model: undefined, // the user's mode, else sessions.default_model
      request: { messages: [{ role: 'user', content: withUpload(text, input.upload) }], stream: true, extra: {} },
      recordType: RECORD_COMMUNICATE,
      signal: input.signal,
      onBehalfOf: input.onBehalfOf,
      session: { id: this.sessionId(input) },
    })
    try {
      for await (const e of turn.events()) if ((e.type === 'text' || e.type === 'reasoning') && e.text) yield { type: e.type, step: 1, text: e.text }
    } catch (err) {
      const outcome = turn.outcome
      throw outcome instanceof ChatFailure ? outcome : ChatFailure.from(err)
    }
    yield { type: 'answer', text: turn.text, steps: 1 }
  }

  private async *agent(input: CommandInput, user: string | null, goal: string, planFirst: boolean): AsyncGenerator<AssistantEvent> {
    const settings = this.deps.agents()
    const mode = user ? (await findUser(this.deps.db, user))?.mode : undefined
    const messages: ChatMessage[] = [
      ...(planFirst ? [{ role: 'system' as const, content: PLAN_FIRST }] : []),
      { role: 'user', content: withUpload(goal, input.upload) },
    ]
    yield* runAgent(this.deps.chat, this.deps.mcp, {
      caller: input.caller,
      onBehalfOf: input.onBehalfOf,
      model: mode || settings.model || 'auto',
      messages,
      maxSteps: settings.maxSteps,
      signal: input.signal,
    })
  }

  /** A media task through the engine (which reserves, bills and records it); waits for its end up to tasks.wait_ms. */
  private async *media(input: CommandInput, kind: 'image' | 'video', prompt: string): AsyncGenerator<AssistantEvent> {
    const settings = this.deps.media()
    const image = imageOf(input.upload)
    const row = await this.deps.tasks.submit({
      requestId: timeOrderedUuid(),
      caller: input.caller,
      model: kind === 'image' ? settings.photoModel : settings.videoModel,
      kinds: [kind],
      request: { prompt, ...(image ? { images: [image] } : {}), extra: {} },
      onBehalfOf: input.onBehalfOf,
      chatId: this.sessionId(input),
      signal: input.signal,
    })
    yield { type: 'message', text: `${kind} task ${row.id}: ${row.status === 'submitting' ? 'queued' : row.status}`, data: { task_id: row.id, status: row.status } }
    const end = await this.deps.tasks.wait(row.id, settings.waitMs, input.signal)
    if (end.status === 'failed') throw new ChatFailure('unavailable', end.error ?? `the ${kind} task failed`)
    if (end.status !== 'completed') {
      const text = `${kind} task ${end.id} is still ${end.status}; the progress socket and GET /v1/videos/${end.id} follow it`
      return yield { type: 'message', text, data: { task_id: end.id, status: end.status } }
    }
    const urls = ((end.outputs ?? []) as MediaOutput[]).flatMap((o) => (o.url ? [o.url] : []))
    yield { type: 'message', text: urls.join('\n') || (end.text ?? ''), data: { task_id: end.id, status: end.status, urls } }
  }

  /**
   * Each command leaves a record: the ones that call no model write theirs here (type 8, nothing
   * charged); the chats, agents and media tasks are recorded by the turn or the task engine.
   */
  private async noted(input: CommandInput, user: string | null, command: string, answer: AssistantMessage): Promise<AssistantEvent> {
    const keep = this.deps.storeContent()
    await insertRecords(this.deps.db, [
      {
        userId: user,
        requestId: timeOrderedUuid(),
        question: keep ? command : '',
        answer: keep ? answer.text : '',
        recordType: RECORD_COMMUNICATE,
        chatId: this.sessionId(input),
        createdAt: Date.now(),
      },
    ])
    return answer
  }

  private needUser(user: string | null): string {
    if (!user) throw invalid('this command belongs to a user: give user_id, or use a key that has a user')
    return user
  }

  private async mode(input: CommandInput, user: string | null, model: string): Promise<AssistantMessage> {
    const current = user ? (await findUser(this.deps.db, user))?.mode || undefined : undefined
    if (!model) return { type: 'message', text: `mode: ${current ?? 'default'}`, data: { mode: current ?? null } }
    if (model === 'auto') throw invalid('mode: name a model (auto is what an unset mode means)')
    // The same checks a turn makes: the model exists, is a chat model, and this key may use it.
    await this.deps.chat.checkModel(input.caller, model)
    await setMode(this.deps.db, this.needUser(user), model)
    return { type: 'message', text: `mode set to ${model}`, data: { mode: model } }
  }

  private async balance(user: string): Promise<AssistantMessage> {
    const row = await findUser(this.deps.db, user)
    const data = { user_id: user, avail_token: row?.availToken ?? 0, token: row?.token ?? 0 }
    return { type: 'message', text: `balance: ${data.avail_token} tokens`, data }
  }

  private async state(input: CommandInput, user: string | null): Promise<AssistantMessage> {
    const row = user ? await findUser(this.deps.db, user) : undefined
    const session = await this.deps.sessions.get(this.sessionId(input))
    const data = { mode: row?.mode || null, avail_token: row?.availToken ?? null, messages: session?.messages.length ?? 0 }
    return { type: 'message', text: `mode: ${data.mode ?? 'default'}; balance: ${data.avail_token ?? 'n/a'}; conversation: ${data.messages} messages`, data }
  }

  private async clear(input: CommandInput): Promise<void> {
    try {
      await this.deps.chat.clearSession(this.sessionId(input), input.caller, input.onBehalfOf)
    } catch (err) {
      if (!(err instanceof ChatFailure && err.kind === 'session_not_found')) throw err
    }
  }

  private async lastQuestion(input: CommandInput): Promise<string> {
    const messages = (await this.deps.sessions.get(this.sessionId(input)))?.messages ?? []
    const last = messages.findLast((m) => m.role === 'user')
    if (!last) throw invalid('nothing to retry: the conversation has no question yet')
    return last.content
  }
}

/** An uploaded image for a media command, as a data URL; other uploads are refused. */
function imageOf(upload: CommandInput['upload']): string | undefined {
  if (!upload?.bytes.length) return undefined
  if (!upload.type.startsWith('image/')) throw new ChatFailure('not_supported', `uploads of ${upload.type || 'unknown type'} are not supported here (images are)`)
  return `data:${upload.type};base64,${upload.bytes.toString('base64')}`
}

/** An uploaded image goes with the text as an image part; other uploads are refused. */
function withUpload(text: string, upload: CommandInput['upload']): string | ContentPart[] {
  if (!upload?.bytes.length) return text
  if (!upload.type.startsWith('image/')) throw new ChatFailure('not_supported', `uploads of ${upload.type || 'unknown type'} are not supported yet (images are)`)
  const url = `data:${upload.type};base64,${upload.bytes.toString('base64')}`
  return [
    { type: 'text', text },
    { type: 'image_url', image_url: { url } },
  ]
}
