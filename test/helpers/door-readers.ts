// Each chat door's answer (whole or streamed) read back into one door-neutral shape, as its
// clients read it, so a test can say that the doors told the client the same thing.
import type { SseEvent } from '../../src/kit/sse.js'
import type { FoldedStream } from './anthropic-stream.js'

export type Door = 'chat' | 'responses' | 'messages'

export interface Said {
  text: string
  reasoning: string
  /** Tool calls with the upstream's ids (Messages' toolu_ prefix taken off) and parsed arguments. */
  calls: { id: string; name: string; args: unknown }[]
  /** In chat completions' terms: stop, length, tool_calls. */
  finish: string | undefined
  usage: { input: number; output: number } | undefined
  /** A stream's error event: the OpenAI code, or the Anthropic error type. */
  error: { code: string; message: string } | undefined
}

const said = (): Said => ({ text: '', reasoning: '', calls: [], finish: undefined, usage: undefined, error: undefined })
const parsedArgs = (args: string) => (args ? JSON.parse(args) : {})

/** A chat.completion (first choice). */
export function readChat(body: any): Said {
  const choice = body.choices[0]
  const message = choice.message
  return {
    ...said(),
    text: message.content ?? '',
    reasoning: message.reasoning_content ?? '',
    calls: (message.tool_calls ?? []).map((c: any) => ({ id: c.id, name: c.function.name, args: parsedArgs(c.function.arguments) })),
    finish: choice.finish_reason,
    usage: { input: body.usage.prompt_tokens, output: body.usage.completion_tokens },
  }
}

/** chat.completion.chunk events folded as the openai SDK's stream helper folds them. */
export function readChatStream(events: readonly SseEvent[]): Said {
  const out = said()
  const calls = new Map<number, { id: string; name: string; args: string }>()
  for (const e of events) {
    if (e.data === '[DONE]') break
    const chunk = JSON.parse(e.data)
    if (chunk.error) out.error = { code: chunk.error.code, message: chunk.error.message }
    if (chunk.usage) out.usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens }
    const choice = chunk.choices?.[0]
    if (!choice) continue
    out.text += choice.delta?.content ?? ''
    out.reasoning += choice.delta?.reasoning_content ?? ''
    for (const c of choice.delta?.tool_calls ?? []) {
      const call = calls.get(c.index) ?? { id: '', name: '', args: '' }
      calls.set(c.index, { id: c.id ?? call.id, name: c.function?.name ?? call.name, args: call.args + (c.function?.arguments ?? '') })
    }
    if (choice.finish_reason) out.finish = choice.finish_reason
  }
  out.calls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({ ...c, args: parsedArgs(c.args) }))
  return out
}

/** A `response` object: its output items in order, its status as a finish reason. */
export function readResponse(response: any): Said {
  const out = said()
  for (const item of response.output) {
    if (item.type === 'reasoning') out.reasoning += item.summary.map((s: any) => s.text).join('')
    if (item.type === 'message') out.text += item.content.map((p: any) => (p.type === 'output_text' ? p.text : '')).join('')
    if (item.type === 'function_call') out.calls.push({ id: item.call_id, name: item.name, args: parsedArgs(item.arguments) })
  }
  if (response.status === 'incomplete') out.finish = 'length'
  else if (response.status === 'completed') out.finish = out.calls.length ? 'tool_calls' : 'stop'
  if (response.usage) out.usage = { input: response.usage.input_tokens, output: response.usage.output_tokens }
  if (response.error) out.error = { code: response.error.code, message: response.error.message }
  return out
}

/**
 * The Responses event stream: the final response object, checked against what its deltas said
 * (a client may read either); a failed stream is what the deltas said before response.failed.
 */
export function readResponsesStream(events: readonly SseEvent[]): Said {
  const deltas = said()
  const args = new Map<string, string>()
  for (const e of events) {
    const data = JSON.parse(e.data)
    if (data.type === 'response.output_text.delta') deltas.text += data.delta
    if (data.type === 'response.reasoning_summary_text.delta') deltas.reasoning += data.delta
    if (data.type === 'response.function_call_arguments.delta') args.set(data.item_id, (args.get(data.item_id) ?? '') + data.delta)
    if (data.type === 'response.completed' || data.type === 'response.incomplete' || data.type === 'response.failed') {
      const final = readResponse(data.response)
      if (data.type === 'response.failed') return { ...deltas, error: final.error }
      const fromDeltas = { text: deltas.text, reasoning: deltas.reasoning, args: [...args.values()].map(parsedArgs) }
      if (JSON.stringify(fromDeltas) !== JSON.stringify({ text: final.text, reasoning: final.reasoning, args: final.calls.map((c) => c.args) }))
        throw new Error(`the deltas (${JSON.stringify(fromDeltas)}) do not add up to the final response`)
      return final
    }
  }
  throw new Error('a Responses stream without a final event')
}

const STOP_REASONS: Record<string, string> = { end_turn: 'stop', max_tokens: 'length', tool_use: 'tool_calls' }

/** A Messages `message` object. */
export function readMessage(message: any): Said {
  const out = said()
  for (const block of message.content) {
    if (block.type === 'thinking') out.reasoning += block.thinking
    if (block.type === 'text') out.text += block.text
    if (block.type === 'tool_use') out.calls.push({ id: block.id.replace(/^toolu_/, ''), name: block.name, args: block.input })
  }
  out.finish = message.stop_reason ? STOP_REASONS[message.stop_reason] : undefined
  if (message.stop_reason) out.usage = { input: message.usage.input_tokens, output: message.usage.output_tokens }
  return out
}

/** A Messages stream as foldMessagesStream folded it (grammar checked there). */
export function readMessagesStream(folded: FoldedStream): Said {
  const out = readMessage(folded.message)
  if (folded.error) out.error = { code: folded.error.error.type, message: folded.error.error.message }
  return out
}
