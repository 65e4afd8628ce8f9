// A fake Anthropic Messages API. It enforces the protocol (x-api-key, anthropic-version, the body
// rules in anthropic-api-validate.ts) and answers in Anthropic's exact JSON and SSE shapes:
// text, thinking (with signatures), tool_use (streamed as input_json_delta), stop sequences,
// max_tokens truncation, HTTP errors, an in-stream error, and a stream that hangs.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type RunningServer, readJson, sendJson, startServer } from '../helpers/fake-server.js'
import { validateMessagesBody } from './anthropic-api-validate.js'

export const GOOD_KEY = 'sk-ant-api03-good-key'
export const ANSWER_PARTS = ['Hello', ' from', ' Claude', '，你好', '！🌏']
export const THINKING_PARTS = ['Let me think', ' about this…', ' 好的。']
export const TOOL_INTRO = "I'll check."
export const TOOL_INPUT_PARTS = ['{"city"', ': "北', '京"}']
export const SECOND_TOOL_INPUT = '{"city":"上海"}'
/** input_tokens, cache reads and cache writes of every answer: 28 prompt tokens in all. */
export const FAKE_USAGE = { input_tokens: 21, cache_read_input_tokens: 4, cache_creation_input_tokens: 3 }

type Obj = Record<string, any>

/** Model names that make the fake fail: [status, error type, message, headers]. */
export const FAILING_MODELS: Readonly<Record<string, [number, string, string, Record<string, string>?]>> = {
  'fake-overloaded': [529, 'overloaded_error', 'Overloaded'],
  'fake-rate-limited': [429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { 'retry-after': '7' }],
  'fake-api-error': [500, 'api_error', 'Internal server error'],
  'fake-forbidden': [403, 'permission_error', 'Your API key does not have permission to use the specified resource.'],
  'fake-no-credit': [400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.'],
  'fake-billing': [402, 'billing_error', 'Your account has a billing problem.'],
}

export interface FakeAnthropic extends RunningServer {
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: Obj }[]
  validKeys: Set<string>
  /** Requests whose connection closed before the fake finished answering. */
  readonly closedEarly: number
  /** Make GET /v1/models fail with this status and error type (probe tests). */
  modelsFailure: [number, string] | undefined
}

type Block =
  | { type: 'thinking'; parts: string[] }
  | { type: 'text'; parts: string[] }
  | { type: 'tool_use'; id: string; name: string; parts: string[] }

interface Reply {
  blocks: Block[]
  stopReason: string
  stopSequence: string | null
}

const errorBody = (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: 'req_fake' })
const blocksOf = (content: unknown): Obj[] => (typeof content === 'string' ? [{ type: 'text', text: content }] : (content as Obj[]))

function textOfBlocks(blocks: Obj[]): string {
  return blocks.map((b) => (b.type === 'text' ? b.text : b.type === 'tool_result' ? (typeof b.content === 'string' ? b.content : textOfBlocks(b.content ?? [])) : '')).join('')
}

/** What a model would say to this body: deterministic, shaped by tools, thinking and limits. */
function replyTo(body: Obj): Reply {
  const blocks: Block[] = []
  if (body.thinking && body.thinking.type !== 'disabled') blocks.push({ type: 'thinking', parts: THINKING_PARTS })
  const last = blocksOf(body.messages.at(-1).content)
  const toolResults = last.filter((b) => b.type === 'tool_result')
  const choice = body.tool_choice?.type
  if (body.tools?.length && !toolResults.length && choice !== 'none') {
    const name = choice === 'tool' ? body.tool_choice.name : body.tools[0].name
    blocks.push({ type: 'text', parts: [TOOL_INTRO] })
    blocks.push({ type: 'tool_use', id: 'toolu_01FakeBeijing', name, parts: TOOL_INPUT_PARTS })
    if (/both/.test(textOfBlocks(last)) && !body.tool_choice?.disable_parallel_tool_use)
      blocks.push({ type: 'tool_use', id: 'toolu_02FakeShanghai', name, parts: [SECOND_TOOL_INPUT] })
    return { blocks, stopReason: 'tool_use', stopSequence: null }
  }
  let parts = toolResults.length ? ['The tool said: ', textOfBlocks(toolResults)] : [...ANSWER_PARTS]
  let stopReason = 'end_turn'
  let stopSequence: string | null = null
  const full = parts.join('')
  for (const s of body.stop_sequences ?? []) {
    const at = full.indexOf(s)
    if (at === -1) continue
    parts = [full.slice(0, at)].filter(Boolean)
    stopReason = 'stop_sequence'
    stopSequence = s
    break
  }
  const room = body.max_tokens - (blocks.length ? THINKING_PARTS.length : 0)
  if (parts.length > room) {
    parts = parts.slice(0, Math.max(room, 0))
    stopReason = 'max_tokens'
  }
  if (parts.length) blocks.push({ type: 'text', parts })
  return { blocks, stopReason, stopSequence }
}

const outputTokens = (reply: Reply) => reply.blocks.reduce((n, b) => n + b.parts.length, 0)
const SIGNATURE = 'EqQBCkYIARgCKkD-fake-signature'

function contentJson(b: Block): Obj {
  if (b.type === 'thinking') return { type: 'thinking', thinking: b.parts.join(''), signature: SIGNATURE }
  if (b.type === 'text') return { type: 'text', text: b.parts.join('') }
  return { type: 'tool_use', id: b.id, name: b.name, input: JSON.parse(b.parts.join('')) }
}

function messageJson(body: Obj, reply: Reply): Obj {
  return {
    id: 'msg_01FakeMessage',
    type: 'message',
    role: 'assistant',
    model: body.model,
    content: reply.blocks.map(contentJson),
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    usage: { ...FAKE_USAGE, output_tokens: outputTokens(reply) },
  }
}

export const sse = (event: string, data: Obj) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

/** The whole SSE body of a reply, as the real API frames it. */
export function streamOf(body: Obj, reply: Reply): string[] {
  const out = [sse('message_start', { type: 'message_start', message: { ...messageJson(body, reply), content: [], stop_reason: null, stop_sequence: null, usage: { ...FAKE_USAGE, output_tokens: 1 } } })]
  reply.blocks.forEach((b, index) => {
    const start = b.type === 'tool_use' ? { type: 'tool_use', id: b.id, name: b.name, input: {} } : b.type === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' }
    out.push(sse('content_block_start', { type: 'content_block_start', index, content_block: start }))
    if (index === 0) out.push(sse('ping', { type: 'ping' }))
    if (b.type === 'tool_use') out.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } }))
    for (const part of b.parts) {
      const delta = b.type === 'text' ? { type: 'text_delta', text: part } : b.type === 'thinking' ? { type: 'thinking_delta', thinking: part } : { type: 'input_json_delta', partial_json: part }
      out.push(sse('content_block_delta', { type: 'content_block_delta', index, delta }))
    }
    if (b.type === 'thinking') out.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: SIGNATURE } }))
    out.push(sse('content_block_stop', { type: 'content_block_stop', index }))
  })
  out.push(sse('message_delta', { type: 'message_delta', delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence }, usage: { output_tokens: outputTokens(reply) } }))
  out.push(sse('message_stop', { type: 'message_stop' }))
  return out
}

function authFailure(req: IncomingMessage, validKeys: Set<string>): [number, Obj] | undefined {
  const key = req.headers['x-api-key']
  if (typeof key !== 'string' || !validKeys.has(key)) return [401, errorBody('authentication_error', 'invalid x-api-key')]
  if (req.headers['anthropic-version'] !== '2023-06-01') return [400, errorBody('invalid_request_error', 'anthropic-version: header is required')]
  return undefined
}

export async function startFakeAnthropic(validKeys: string[] = [GOOD_KEY]): Promise<FakeAnthropic> {
  const state = { requests: [] as FakeAnthropic['requests'], validKeys: new Set(validKeys), closedEarly: 0, modelsFailure: undefined as FakeAnthropic['modelsFailure'] }
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    let finished = false
    res.on('close', () => {
      if (!finished) state.closedEarly++
    })
    const body = req.method === 'POST' ? await readJson<Obj>(req) : {}
    const path = (req.url ?? '').split('?')[0]!
    state.requests.push({ method: req.method ?? '', path, headers: req.headers, body })
    const refused = authFailure(req, state.validKeys)
    finished = true
    if (refused) return sendJson(res, refused[0], refused[1])
    if (req.method === 'GET' && path === '/v1/models') {
      if (state.modelsFailure) return sendJson(res, state.modelsFailure[0], errorBody(state.modelsFailure[1], 'models unavailable'))
      return sendJson(res, 200, { data: [{ type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' }], has_more: false, first_id: 'claude-sonnet-4-5-20250929', last_id: 'claude-sonnet-4-5-20250929' })
    }
    if (req.method !== 'POST' || path !== '/v1/messages') return sendJson(res, 404, errorBody('not_found_error', `Not found: ${path}`))
    const invalid = validateMessagesBody(body)
    if (invalid) return sendJson(res, 400, errorBody('invalid_request_error', invalid))
    const failing = FAILING_MODELS[body.model]
    if (failing) return sendJson(res, failing[0], errorBody(failing[1], failing[2]), failing[3])
    if (!body.model.startsWith('claude-') && body.model !== 'fake-stream-error' && body.model !== 'fake-hang') return sendJson(res, 404, errorBody('not_found_error', `model: ${body.model}`))
    const reply = replyTo(body)
    if (!body.stream) return sendJson(res, 200, messageJson(body, reply))
    finished = false
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const events = streamOf(body, reply)
    if (body.model === 'fake-hang') {
      res.write(events.slice(0, 4).join(''))
      return // never ends: only the client's abort closes this
    }
    if (body.model === 'fake-stream-error') {
      res.write(events.slice(0, 4).join(''))
      res.write(sse('error', errorBody('overloaded_error', 'Overloaded')))
    } else for (const e of events) res.write(e)
    finished = true
    res.end()
  }
  const server = await startServer(handler)
  const fake = Object.assign(server, { requests: state.requests, validKeys: state.validKeys })
  Object.defineProperty(fake, 'closedEarly', { get: () => state.closedEarly })
  Object.defineProperty(fake, 'modelsFailure', { get: () => state.modelsFailure, set: (v) => (state.modelsFailure = v) })
  return fake as FakeAnthropic
}
