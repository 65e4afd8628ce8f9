// The OpenAI chat route's opt-in agent mode: a request with "mcp": true lets the relay run the
// tool calls itself with the enabled MCP servers' tools (core/agents/agent.ts, up to
// agents.max_steps rounds, each round a billed and recorded turn) and answer with the final text,
// as one completion or as a chunk stream of the answer's text.
import { type AgentEvent, runAgent } from '../../../core/agents/agent.js'
import type { ChatService } from '../../../core/chat/service.js'
import { randomId } from '../../../core/ids.js'
import type { McpHub } from '../../../core/mcp/hub.js'
import { RECORD_API_CHAT } from '../../../core/meter.js'
import type { ChatMessage } from '../../../kit/types.js'
import { ChatFailure } from '../../../core/chat/failure.js'
import { openaiError } from '../../errors.js'
import { SSE_HEADERS } from '../../sse-response.js'
import type { Prepared, Reply } from '../door.js'
import { sseError } from './chunks.js'

export interface ChatMcpOptions {
  chat: ChatService
  mcp: McpHub
  maxSteps(): number
  pingMs: number
}

const chunk = (id: string, model: string, created: number, delta: Record<string, unknown>, finish: string | null) =>
  `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`

export async function mcpChatReply(o: ChatMcpOptions, req: Prepared, model: string, messages: ChatMessage[], stream: boolean, signal: AbortSignal): Promise<Reply> {
  const id = randomId('chatcmpl-')
  const created = Math.floor(Date.now() / 1000)
  const agent = runAgent(o.chat, o.mcp, { caller: req.caller, model, messages, maxSteps: o.maxSteps(), signal, recordType: RECORD_API_CHAT, requestId: req.requestId })
  // The first round opens before anything is sent: a refusal (402, unknown model) is the HTTP answer.
  const first = await agent.next()
  const events = (async function* () {
    if (!first.done) yield first.value
    yield* agent
  })()
  if (!stream) {
    let answer = ''
    for await (const e of events) if (e.type === 'answer') answer = e.text
    const message = { role: 'assistant', content: answer }
    return { kind: 'json', status: 200, body: { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: 'stop' }] } }
  }
  // Only the last round's text is the answer; the rounds before it end in tool calls, whose text is
  // the model thinking aloud, so each round's text is held until the round is known to be the last.
  let started = false
  let held = ''
  return {
    kind: 'sse',
    options: {
      headers: SSE_HEADERS,
      pingMs: o.pingMs,
      events,
      handlers: {
        render(e: AgentEvent) {
          if (e.type === 'step') held = ''
          if (e.type === 'text') held += e.text
          if (e.type !== 'answer') return ''
          const head = started ? '' : chunk(id, model, created, { role: 'assistant', content: '' }, null)
          started = true
          return head + (held ? chunk(id, model, created, { content: held }, null) : '')
        },
        end: () => `${started ? '' : chunk(id, model, created, { role: 'assistant', content: '' }, null)}${chunk(id, model, created, {}, 'stop')}data: [DONE]\n\n`,
        fail: (err) => sseError(openaiError(err instanceof ChatFailure ? err : ChatFailure.from(err)).body().error),
      },
    },
  }
}
