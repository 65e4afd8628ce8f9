// A fake OpenAI-compatible upstream. The model name picks a behaviour, so one server covers every
// case: normal text, tools, reasoning, 429/500, slow headers, malformed chunk, mid-stream drop,
// a stream that hangs until the client goes away, and an agent turn (tool call, then an answer
// once the tool's result comes back).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type RunningServer, readJson, sendJson, startServer } from '../helpers/fake-server.js'

export const FAKE_ANSWER = ['你好', '，世界', '！🌏 ', 'Hello ', 'there.']
export const FAKE_USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 }

export interface FakeOpenAI extends RunningServer {
  requests: { path: string; headers: IncomingMessage['headers']; body: Record<string, any> }[]
  /** Requests whose connection closed before the fake finished answering. */
  closedEarly: number
  validKeys: Set<string>
  /** Keys that are valid but rate limited (429 with Retry-After). */
  limitedKeys: Set<string>
  /** Chunks the 'flood' model got written so far (it writes only as fast as its reader takes them). */
  flooded: number
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: 'up-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function completion(message: Record<string, unknown>, finish = 'stop') {
  return { id: 'up-1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message, finish_reason: finish }], usage: FAKE_USAGE }
}

/** The fake's embedding: `dimensions` floats (8 by default) derived from the input, the same every time. */
export function fakeEmbedding(input: string | number[], dimensions = 8): number[] {
  const codes = typeof input === 'string' ? Array.from(input, (c) => c.codePointAt(0)!) : input
  return Array.from({ length: dimensions }, (_, i) => Math.fround(((codes.reduce((h, c, j) => h + c * (i + j + 1), 0) % 1000) / 1000) - 0.5))
}

/** As OpenAI sends base64: the float32 values, little-endian. */
export const float32Base64 = (v: number[]) => Buffer.from(new Float32Array(v).buffer).toString('base64')

/** OpenAI's /embeddings: input a string, strings, a token array or token arrays; one item per input. */
function embeddings(body: Record<string, any>): [number, unknown] {
  const invalid = (message: string) => [400, { error: { message, type: 'invalid_request_error', param: null, code: null } }] as [number, unknown]
  const { model, input, encoding_format: format, dimensions } = body
  if (typeof model !== 'string') return invalid("'model' is required")
  if (!model.includes('embed')) return invalid(`The model \`${model}\` does not support embeddings`)
  if (model === 'embed-rate-limited') return [429, { error: { message: 'Rate limit reached', type: 'requests' } }]
  const inputs: (string | number[])[] = typeof input === 'string' || (Array.isArray(input) && typeof input[0] === 'number') ? [input] : input
  if (!Array.isArray(inputs) || !inputs.length || inputs.some((i) => (typeof i === 'string' ? !i : !Array.isArray(i) || !i.length)))
    return invalid("'input' must be a non-empty string or array")
  if (format !== undefined && format !== 'float' && format !== 'base64') return invalid("'encoding_format' must be float or base64")
  if (dimensions !== undefined && !(Number.isInteger(dimensions) && dimensions > 0)) return invalid("'dimensions' must be a positive integer")
  const data = inputs.map((item, index) => {
    const vector = fakeEmbedding(item, dimensions)
    return { object: 'embedding', index, embedding: format === 'base64' ? float32Base64(vector) : vector }
  })
  const tokens = inputs.reduce((n, i) => n + i.length, 0)
  // The real API does not promise order; answering in reverse proves clients sort by index.
  return [200, { object: 'list', data: data.reverse(), model, usage: { prompt_tokens: tokens, total_tokens: tokens } }]
}

const toolCall = { id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }

/** Choice i of an n-choice answer, in pieces. */
export const choiceParts = (i: number) => [`answer `, `number `, `${i}`]

/** OpenAI's logprobs entry for one token; top_logprobs alternatives when asked. */
function logprob(token: string, top: number) {
  const entry = (t: string, lp: number) => ({ token: t, logprob: lp, bytes: [...Buffer.from(t)] })
  return { ...entry(token, -0.25), top_logprobs: Array.from({ length: top }, (_, k) => entry(`${token}${k}`, -1 - k)) }
}

/** Model 'choices': honours n, logprobs and top_logprobs as OpenAI does, streamed or whole. */
function answerChoices(res: ServerResponse, body: Record<string, any>): void {
  const n: number = body.n ?? 1
  const top: number = body.top_logprobs ?? 0
  const lp = (parts: string[]) => (body.logprobs ? { content: parts.map((p) => logprob(p, top)) } : null)
  if (!body.stream) {
    const choices = Array.from({ length: n }, (_, i) => ({
      index: i,
      message: { role: 'assistant', content: choiceParts(i).join('') },
      logprobs: lp(choiceParts(i)),
      finish_reason: 'stop',
    }))
    sendJson(res, 200, { id: 'up-1', object: 'chat.completion', created: 1, model: 'm', choices, usage: FAKE_USAGE })
    return
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  const send = (choice: Record<string, unknown>) =>
    res.write(`data: ${JSON.stringify({ id: 'up-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [choice] })}\n\n`)
  for (let i = 0; i < n; i++) send({ index: i, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null })
  for (let part = 0; part < 3; part++) {
    for (let i = 0; i < n; i++) {
      const text = choiceParts(i)[part]!
      send({ index: i, delta: { content: text }, logprobs: lp([text]), finish_reason: null })
    }
  }
  for (let i = 0; i < n; i++) send({ index: i, delta: {}, logprobs: null, finish_reason: 'stop' })
  res.write(`data: ${JSON.stringify({ id: 'up-1', object: 'chat.completion.chunk', choices: [], usage: FAKE_USAGE })}\n\n`)
  res.end('data: [DONE]\n\n')
}

/** What the 'agent' model runs: exec_command when offered (Codex), Bash (Claude Code), else the first tool. */
export const AGENT_COMMAND = 'echo freeway-agent-ok'
export const AGENT_BASH_COMMAND = 'echo freeway-tool-ok'
export const AGENT_CALL_ID = 'call_agent_1'

const contentText = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => (p?.type === 'text' ? p.text : '')).join('') : ''

/**
 * The 'agent' model works a tool loop: it calls a tool unless the last message is a tool result,
 * which it then reports ("The tool said: …"); without tools it answers like the others.
 */
function agentReply(body: Record<string, any>): { text: string } | { call: { name: string; arguments: string } } {
  const last = body.messages.at(-1)
  if (last?.role === 'tool') return { text: `The tool said: ${contentText(last.content)}` }
  const tools: any[] = (body.tools ?? []).filter((t: any) => t?.type === 'function')
  if (!tools.length || body.tool_choice === 'none') return { text: FAKE_ANSWER.join('') }
  const exec = tools.find((t) => t.function.name === 'exec_command')
  const bash = tools.find((t) => t.function.name === 'Bash')
  const named = typeof body.tool_choice === 'object' ? body.tool_choice.function.name : tools[0].function.name
  const name: string = exec ? 'exec_command' : bash ? 'Bash' : named
  const args = exec ? { cmd: AGENT_COMMAND } : bash ? { command: AGENT_BASH_COMMAND, description: 'Print a marker' } : { city: '北京' }
  return { call: { name, arguments: JSON.stringify(args) } }
}

/**
 * OpenAI's rule for tool messages: each answers a call of the assistant message before it, and
 * every call is answered before the conversation goes on. Returns the API's complaint, if any.
 */
function toolSequenceError(messages: any[]): string | undefined {
  let pending: Set<string> | undefined
  for (const m of messages) {
    if (m?.role === 'tool') {
      if (!pending?.delete(m.tool_call_id)) return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."
      continue
    }
    if (pending?.size) return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending].join(', ')}`
    pending = m?.role === 'assistant' && Array.isArray(m.tool_calls) ? new Set(m.tool_calls.map((c: any) => c.id)) : undefined
  }
  return undefined
}

export async function startFakeOpenAI(validKeys: string[] = ['sk-upstream-good']): Promise<FakeOpenAI> {
  const state = {
    requests: [] as FakeOpenAI['requests'],
    closedEarly: 0,
    flooded: 0,
    validKeys: new Set(validKeys),
    limitedKeys: new Set<string>(),
  }
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    let finished = false
    res.on('close', () => {
      if (!finished) state.closedEarly++
    })
    const done = () => {
      finished = true
      res.end()
    }
    if (req.url === '/v1/models') {
      const key = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      if (!state.validKeys.has(key)) return sendJson(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } })
      return sendJson(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model' }] })
    }
    const body = await readJson<Record<string, any>>(req)
    state.requests.push({ path: req.url ?? '', headers: req.headers, body })
    const key = (req.headers.authorization ?? '').replace(/^Bearer /, '')
    if (!state.validKeys.has(key)) {
      finished = true
      return sendJson(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } })
    }
    if (req.url === '/v1/embeddings') {
      finished = true
      const [status, answer] = embeddings(body)
      return sendJson(res, status, answer)
    }
    const model: string = body.model
    const sequenceError = Array.isArray(body.messages) ? toolSequenceError(body.messages) : undefined
    if (sequenceError) {
      finished = true
      return sendJson(res, 400, { error: { message: sequenceError, type: 'invalid_request_error', param: 'messages', code: null } })
    }
    finished = model !== 'hang' && model !== 'slow-headers' && model !== 'flood'
    if (state.limitedKeys.has(key)) return sendJson(res, 429, { error: { message: 'Rate limit reached for key' } }, { 'retry-after': '30' })
    if (model === 'rate-limited') return sendJson(res, 429, { error: { message: 'Rate limit reached', type: 'requests' } }, { 'retry-after': '7' })
    if (model === 'broken') return sendJson(res, 500, { error: { message: 'The server had an error' } })
    if (model === 'bad-request') return sendJson(res, 400, { error: { message: "'messages' is too long", type: 'invalid_request_error' } })
    if (model === 'slow-headers') {
      await sleep(3_000)
      return done()
    }
    finished = false
    if (model === 'choices') {
      finished = true
      answerChoices(res, body)
      return
    }
    if (!body.stream) {
      finished = true
      if (model === 'tools') return sendJson(res, 200, completion({ role: 'assistant', content: null, tool_calls: [toolCall] }, 'tool_calls'))
      if (model === 'agent') {
        const reply = agentReply(body)
        if ('text' in reply) return sendJson(res, 200, completion({ role: 'assistant', content: reply.text }))
        const call = { id: AGENT_CALL_ID, type: 'function', function: reply.call }
        return sendJson(res, 200, completion({ role: 'assistant', content: null, tool_calls: [call] }, 'tool_calls'))
      }
      if (model === 'reasoner') return sendJson(res, 200, completion({ role: 'assistant', content: FAKE_ANSWER.join(''), reasoning_content: '先想一想。' }))
      if (model === 'no-usage') {
        const { usage: _none, ...bare } = completion({ role: 'assistant', content: FAKE_ANSWER.join('') })
        return sendJson(res, 200, bare)
      }
      return sendJson(res, 200, completion({ role: 'assistant', content: FAKE_ANSWER.join('') }))
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(': keep-alive comment\n\n')
    // Azure-style first chunk with no choices, which clients must tolerate.
    res.write(`data: ${JSON.stringify({ id: 'up-1', object: 'chat.completion.chunk', choices: [], prompt_filter_results: [] })}\n\n`)
    res.write(chunk({ role: 'assistant', content: '' }))
    if (model === 'hang') {
      res.write(chunk({ content: '…' }))
      return // never ends: only the client's abort closes this
    }
    if (model === 'flood') {
      // An endless answer written at the reader's pace: a stalled count shows the reader stopped.
      const piece = chunk({ content: 'x'.repeat(4096) })
      while (!res.destroyed) {
        state.flooded++
        if (res.write(piece)) continue
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off('drain', go).off('close', go)
            resolve()
          }
          res.once('drain', go).once('close', go)
        })
      }
      return
    }
    const agent = model === 'agent' ? agentReply(body) : undefined
    if (agent && 'call' in agent) {
      const args = agent.call.arguments
      res.write(chunk({ tool_calls: [{ index: 0, id: AGENT_CALL_ID, type: 'function', function: { name: agent.call.name, arguments: '' } }] }))
      for (const piece of [args.slice(0, 9), args.slice(9)]) res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }))
      res.write(chunk({}, 'tool_calls'))
    } else if (agent) {
      for (const part of agent.text.match(/.{1,8}/gsu) ?? []) res.write(chunk({ content: part }))
      res.write(chunk({}, 'stop'))
    } else if (model === 'tools') {
      res.write(chunk({ tool_calls: [{ index: 0, id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '' } }] }))
      res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }))
      res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: '"北京"}' } }] }))
      res.write(chunk({}, 'tool_calls'))
    } else {
      if (model === 'reasoner') for (const r of ['先想', '一想。']) res.write(chunk({ reasoning_content: r }))
      for (const [i, part] of FAKE_ANSWER.entries()) {
        if (model === 'malformed' && i === 2) res.write('data: {"choices":[{"delta":{"content":"x"}\n\n')
        if (model === 'drop' && i === 2) {
          await sleep(50) // let the first chunks reach the relay, then drop the connection
          res.destroy()
          return
        }
        res.write(chunk({ content: part }))
        if (model === 'pause') await sleep(150)
      }
      res.write(chunk({}, 'stop'))
    }
    if (body.stream_options?.include_usage && model !== 'no-usage') res.write(`data: ${JSON.stringify({ id: 'up-1', object: 'chat.completion.chunk', choices: [], usage: FAKE_USAGE })}\n\n`)
    res.write('data: [DONE]\n\n')
    done()
  }
  const server = await startServer(handler)
  const fake = Object.assign(server, { requests: state.requests, validKeys: state.validKeys, limitedKeys: state.limitedKeys })
  Object.defineProperty(fake, 'closedEarly', { get: () => state.closedEarly })
  Object.defineProperty(fake, 'flooded', { get: () => state.flooded })
  return fake as FakeOpenAI
}
