// The agent loop of /task and /mcp: a chat model offered the enabled MCP tools, for up to
// agents.max_steps tool rounds. Every round is an ordinary chat turn of the core (permission,
// bill, usage row, record); the tools run here, and their results, failures included, go back
// to the model as tool messages. What happens is yielded as it happens, for the door to stream.
import { performance } from 'node:perf_hooks'
import { tryJson } from '../../kit/json.js'
import type { ChatMessage, ToolCall } from '../../kit/types.js'
import type { Caller } from '../chat/caller.js'
import { ChatFailure } from '../chat/failure.js'
import type { ChatService } from '../chat/service.js'
import { timeOrderedUuid } from '../ids.js'
import type { McpHub } from '../mcp/hub.js'
import { RECORD_COMMUNICATE } from '../meter.js'

export type AgentEvent =
  | { type: 'step'; step: number }
  | { type: 'text'; step: number; text: string }
  | { type: 'reasoning'; step: number; text: string }
  | { type: 'tool_call'; step: number; name: string; arguments: string }
  | { type: 'tool_result'; step: number; name: string; result: string; isError: boolean }
  | { type: 'answer'; text: string; steps: number }

export interface AgentInput {
  caller: Caller
  onBehalfOf?: string | null | undefined
  model: string
  /** The conversation so far, ending with the user's goal. */
  messages: ChatMessage[]
  maxSteps: number
  signal: AbortSignal
  /** The record type of each round: /communicate's unless the door says otherwise. */
  recordType?: number
  /** The request id of the first round (the client's request); later rounds get their own. */
  requestId?: string
}

/** Ask the model for a plan first (the /mcp command), then let it run. */
export const PLAN_FIRST =
  'Before calling any tool, write a short numbered plan of the tool calls you will make and why. Then carry it out with the tools, and finish with the answer.'

export async function* runAgent(chat: ChatService, mcp: McpHub, input: AgentInput): AsyncGenerator<AgentEvent> {
  const messages = [...input.messages]
  const tools = mcp.tools().map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema } }))
  for (let step = 1; ; step++) {
    // Past the last tool round the model must answer with what it has.
    const last = step > input.maxSteps
    const turn = await chat.open({
      requestId: step === 1 && input.requestId ? input.requestId : timeOrderedUuid(),
      startedAt: performance.now(),
      caller: input.caller,
      model: input.model,
      request: { messages, stream: true, extra: {}, ...(tools.length ? { tools, tool_choice: last ? 'none' : 'auto' } : {}) },
      recordType: input.recordType ?? RECORD_COMMUNICATE,
      signal: input.signal,
      onBehalfOf: input.onBehalfOf,
    })
    // After open: a refusal (402, unknown model) comes before anything was said.
    yield { type: 'step', step }
    try {
      for await (const e of turn.events()) {
        if ((e.type === 'text' || e.type === 'reasoning') && e.text) yield { type: e.type, step, text: e.text }
      }
    } catch (err) {
      const outcome = turn.outcome
      throw outcome instanceof ChatFailure ? outcome : ChatFailure.from(err)
    }
    const calls: ToolCall[] = [...turn.relay.tally.toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({ id: c.id ?? `call_${step}_${index}`, type: 'function', function: { name: c.name, arguments: c.args || '{}' } }))
    if (!calls.length || last) {
      yield { type: 'answer', text: turn.text, steps: step }
      return
    }
    messages.push({ role: 'assistant', content: turn.text || null, tool_calls: calls })
    for (const call of calls) {
      yield { type: 'tool_call', step, name: call.function.name, arguments: call.function.arguments }
      const args = tryJson(call.function.arguments)
      const result = await mcp.call(call.function.name, args ?? {}, input.signal)
      yield { type: 'tool_result', step, name: call.function.name, result: result.text, isError: result.isError }
      messages.push({ role: 'tool', tool_call_id: call.id, content: result.text })
    }
  }
}
