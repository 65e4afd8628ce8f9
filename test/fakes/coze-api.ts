// A fake Coze Open API v3 server: PAT auth, bots, conversations, stream and non-stream chats,
// the documented event order and `{code,msg}` errors (codes from the Coze error-code page).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readJson, startServer } from '../helpers/fake-server.js'
import { type BotReply, type FakeBot, replyFor } from './coze-api-bots.js'
import {
  type FakeChat,
  type FakeMessage,
  answerFinishVerbose,
  assistantMessage,
  chunksOf,
  nextId,
  now,
  sendEnvelope,
  sseFrame,
} from './coze-api-wire.js'

export type { BotReply, FakeBot } from './coze-api-bots.js'

export interface CozeFakeOptions {
  tokens?: string[]
  bots?: Record<string, FakeBot>
  /** Auth failures as HTTP 401 (the real server) or as a code inside a 200 (what SDKs also accept). */
  authErrorStatus?: 401 | 200
  /** Non-stream: how many retrieve calls still see `in_progress`. */
  pollsBeforeDone?: number
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  body: Record<string, unknown> | undefined
  authorization: string | undefined
}

interface Conversation {
  id: string
  botId: string
  messages: Array<Pick<FakeMessage, 'role' | 'type' | 'content' | 'content_type'>>
  runningChat?: string
}

interface ChatRecord {
  chat: FakeChat
  reply: BotReply
  pollsLeft: number
  output: FakeMessage[]
}

/** One-shot override for the next request to a path (HTML challenge pages, codes we cannot provoke). */
export interface Injection {
  status: number
  body: string
  contentType?: string
}

export const GOOD_TOKEN = 'pat_fake_good_token_0001'
export const ECHO_BOT = '7351411557182226472'

export async function startCozeFake(options: CozeFakeOptions = {}) {
  const tokens = new Set(options.tokens ?? [GOOD_TOKEN])
  const bots: Record<string, FakeBot> = options.bots ?? { [ECHO_BOT]: {} }
  const conversations = new Map<string, Conversation>()
  const chats = new Map<string, ChatRecord>()
  const requests: RecordedRequest[] = []
  const injections = new Map<string, Injection>()
  const stats = { streamsClosedEarly: 0, streamsCompleted: 0, cancels: 0 }

  const usageFor = (conv: Conversation, answer: string) => {
    const input = conv.messages.reduce((n, m) => n + Array.from(m.content).length, 0)
    const output = Array.from(answer).length
    return { token_count: input + output, output_count: output, input_count: input }
  }

  function startChat(conv: Conversation, body: Record<string, unknown>): ChatRecord {
    for (const m of body.additional_messages as FakeMessage[]) conv.messages.push(m)
    const question = [...conv.messages].reverse().find((m) => m.role === 'user')?.content ?? ''
    const reply = replyFor(bots[conv.botId]!, { question, history: conv.messages, turn: conv.messages.filter((m) => m.role === 'user').length })
    const chat: FakeChat = {
      id: nextId(),
      conversation_id: conv.id,
      bot_id: conv.botId,
      created_at: now(),
      meta_data: {},
      last_error: { code: 0, msg: '' },
      status: 'created',
      usage: { token_count: 0, output_count: 0, input_count: 0 },
    }
    const record: ChatRecord = { chat, reply, pollsLeft: options.pollsBeforeDone ?? 2, output: [] }
    chats.set(chat.id, record)
    conv.runningChat = chat.id
    return record
  }

  /** Move a chat to its scripted end state, saving the answer into the conversation. */
  function finishChat(record: ChatRecord): void {
    const { chat, reply } = record
    const conv = conversations.get(chat.conversation_id)!
    if (conv.runningChat === chat.id) conv.runningChat = undefined
    const outcome = reply.outcome ?? 'completed'
    if (outcome === 'failed' || outcome === 'refused') {
      chat.status = 'failed'
      chat.failed_at = now()
      chat.last_error = reply.lastError ?? (outcome === 'refused' ? { code: 4014, msg: 'question cannot be answered' } : { code: 5000, msg: 'event interval error' })
      return
    }
    if (outcome === 'requires_action') {
      chat.status = 'requires_action'
      chat.required_action = { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: [{ id: nextId(), type: 'function', function: { name: 'local_plugin', arguments: '{}' } }] } }
      return
    }
    const answers = reply.answers ?? [reply.answer ?? '']
    record.output = answers.map((a, i) => assistantMessage(chat, 'answer', a, i === 0 && reply.reasoning ? { reasoning_content: reply.reasoning } : {}))
    for (const f of reply.followUps ?? []) record.output.push(assistantMessage(chat, 'follow_up', f))
    if (answers.length > 1) record.output.push(assistantMessage(chat, 'verbose', answerFinishVerbose))
    for (const a of answers) conv.messages.push({ role: 'assistant', type: 'answer', content: a, content_type: 'text' })
    chat.status = 'completed'
    chat.completed_at = now()
    chat.usage = usageFor(conv, answers.join(''))
  }

  async function streamChat(res: ServerResponse, record: ChatRecord): Promise<void> {
    const { chat, reply } = record
    let open = true
    res.on('close', () => {
      if (open) stats.streamsClosedEarly++
      open = false
      const conv = conversations.get(chat.conversation_id)
      if (conv?.runningChat === chat.id) conv.runningChat = undefined
    })
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-tt-logid': nextId() })
    const send = async (event: string, data: unknown) => {
      if (!open) return
      res.write(sseFrame(event, data))
      if (reply.deltaDelayMs && event === 'conversation.message.delta') await new Promise((r) => setTimeout(r, reply.deltaDelayMs))
    }
    await send('conversation.chat.created', { ...chat })
    chat.status = 'in_progress'
    await send('conversation.chat.in_progress', { ...chat })
    if (reply.outcome === 'error_event') {
      await send('error', reply.errorData ?? { code: 4009, msg: 'system busy' })
    } else {
      finishChat(record)
      // finishChat frees the conversation; a streaming chat holds it until the stream ends.
      const conv = conversations.get(chat.conversation_id)
      if (conv && open) conv.runningChat = chat.id
      for (const m of record.output.filter((o) => o.type === 'answer')) {
        if (m.reasoning_content) for (const r of chunksOf(m.reasoning_content)) await send('conversation.message.delta', { ...m, content: '', reasoning_content: r })
        for (const c of chunksOf(m.content)) await send('conversation.message.delta', { ...m, content: c, reasoning_content: '' })
        await send('conversation.message.completed', m)
        if (reply.audio) await send('conversation.audio.delta', { ...m, content_type: 'audio', content: 'AAAA' })
      }
      if (reply.truncate) return void res.destroy()
      for (const m of record.output.filter((o) => o.type !== 'answer')) await send('conversation.message.completed', m)
      const final = chat.status as FakeChat['status']
      if (final === 'completed') await send('conversation.chat.completed', chat)
      else if (final === 'failed') await send('conversation.chat.failed', chat)
      else if (final === 'requires_action') await send('conversation.chat.requires_action', chat)
      await send('done', '"[DONE]"')
    }
    if (open) stats.streamsCompleted++
    open = false
    const conv = conversations.get(chat.conversation_id)
    if (conv?.runningChat === chat.id) conv.runningChat = undefined
    res.end()
  }

  function createChat(req: RecordedRequest, res: ServerResponse): void | Promise<void> {
    const body = req.body ?? {}
    const botId = String(body.bot_id ?? '')
    const msgs = body.additional_messages
    if (!botId || !body.user_id || (msgs !== undefined && !Array.isArray(msgs))) return sendEnvelope(res, 200, 4000, 'invalid parameter: bot_id and user_id are required')
    const bot = bots[botId]
    if (!bot) return sendEnvelope(res, 200, 4006, `invalid bot: ${botId}`)
    if (bot.published === false) return sendEnvelope(res, 200, 4015, 'The bot_id has not been published to the channel Agent As API')
    const messages = (msgs ?? []) as FakeMessage[]
    if (messages.length > 100) return sendEnvelope(res, 200, 4004, 'additional messages exceed the limit')
    if (!messages.every(isValidInputMessage)) return sendEnvelope(res, 200, 4005, 'invalid message')
    if (body.stream !== true && body.auto_save_history === false) return sendEnvelope(res, 200, 4007, 'stream false is only allowed when auto_save_history is true')
    let conv: Conversation
    if (req.query.conversation_id) {
      const found = conversations.get(req.query.conversation_id)
      if (!found) return sendEnvelope(res, 200, 4002, 'invalid conversation')
      if (found.runningChat) return sendEnvelope(res, 200, 4016, 'There is already a chat running in the conversation')
      conv = found
    } else {
      conv = { id: nextId(), botId, messages: [] }
      conversations.set(conv.id, conv)
    }
    const record = startChat(conv, body)
    if (body.stream === true) return streamChat(res, record)
    record.chat.status = 'in_progress'
    sendEnvelope(res, 200, 0, '', { ...record.chat })
  }

  function retrieve(req: RecordedRequest, res: ServerResponse): void {
    const record = chats.get(req.query.chat_id ?? '')
    if (!record || record.chat.conversation_id !== req.query.conversation_id) {
      sendEnvelope(res, 200, 4001, 'invalid chat')
      return
    }
    if (record.chat.status === 'in_progress' && !record.reply.hang) {
      if (record.pollsLeft > 0) record.pollsLeft--
      else finishChat(record)
    }
    sendEnvelope(res, 200, 0, '', { ...record.chat })
  }

  function route(req: RecordedRequest, res: ServerResponse): void | Promise<void> {
    const { method, path } = req
    if (method === 'POST' && path === '/v3/chat') return createChat(req, res)
    if ((method === 'GET' || method === 'POST') && path === '/v3/chat/retrieve') return retrieve(req, res)
    if (method === 'GET' && path === '/v3/chat/message/list') {
      const record = chats.get(req.query.chat_id ?? '')
      if (!record) return sendEnvelope(res, 200, 4001, 'invalid chat')
      return sendEnvelope(res, 200, 0, '', record.output)
    }
    if (method === 'POST' && path === '/v3/chat/cancel') {
      stats.cancels++
      const record = chats.get(String(req.body?.chat_id ?? ''))
      if (!record) return sendEnvelope(res, 200, 4001, 'invalid chat')
      if (record.chat.status !== 'in_progress' && record.chat.status !== 'created') return sendEnvelope(res, 200, 4104, 'chat cannot be cancelled')
      record.chat.status = 'canceled'
      const conv = conversations.get(record.chat.conversation_id)
      if (conv) conv.runningChat = undefined
      return sendEnvelope(res, 200, 0, '', { ...record.chat })
    }
    if (method === 'GET' && path === '/v1/conversations') {
      if (!bots[req.query.bot_id ?? '']) return sendEnvelope(res, 200, 4006, 'invalid bot')
      const list = [...conversations.values()].filter((c) => c.botId === req.query.bot_id).map((c) => ({ id: c.id, created_at: now() }))
      return sendEnvelope(res, 200, 0, '', { has_more: false, conversations: list })
    }
    const del = /^\/v1\/conversations\/([^/]+)$/.exec(path)
    if (method === 'DELETE' && del) {
      if (!conversations.delete(decodeURIComponent(del[1]!))) return sendEnvelope(res, 200, 4002, 'invalid conversation')
      return sendEnvelope(res, 200, 0, '', {})
    }
    sendEnvelope(res, 404, 4000, `no route ${method} ${path}`)
  }

  const server = await startServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake')
    const hasBody = req.method === 'POST' || req.method === 'PUT'
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: hasBody ? await readJson(req) : undefined,
      authorization: req.headers.authorization,
    }
    requests.push(recorded)
    const injected = injections.get(recorded.path)
    if (injected) {
      injections.delete(recorded.path)
      res.writeHead(injected.status, { 'content-type': injected.contentType ?? 'application/json' })
      return void res.end(injected.body)
    }
    const token = /^Bearer (.+)$/.exec(recorded.authorization ?? '')?.[1]
    if (!token || !tokens.has(token)) return sendEnvelope(res, options.authErrorStatus ?? 401, 4100, 'authentication is invalid')
    return route(recorded, res)
  })

  return {
    ...server,
    requests,
    conversations,
    chats,
    stats,
    /** Serve `injection` once, to the next request for `path`. */
    inject: (path: string, injection: Injection) => injections.set(path, injection),
    chatRequests: () => requests.filter((r) => r.path === '/v3/chat'),
  }
}

function isValidInputMessage(m: FakeMessage): boolean {
  if (!['user', 'assistant'].includes(m.role) || typeof m.content !== 'string') return false
  if (m.content_type === 'text') return true
  return m.content_type === 'object_string' && isItemList(m.content)
}

function isItemList(content: string): boolean {
  try {
    const items = JSON.parse(content) as unknown
    return Array.isArray(items) && items.every((i) => i && typeof i === 'object' && ['text', 'file', 'image', 'audio'].includes((i as { type: string }).type))
  } catch {
    return false
  }
}

export type CozeFake = Awaited<ReturnType<typeof startCozeFake>>
