// The Responses event stream's bytes, read back whole and split at every byte boundary, and
// accumulated by the openai SDK's own ResponseAccumulator into the final response we send.
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator'
import { describe, expect, it } from 'vitest'
import type { ReasoningMode } from '../../src/core/router.js'
import { ResponseEvents } from '../../src/http/doors/responses/stream.js'
import type { ResponseMeta } from '../../src/http/doors/responses/response.js'
import { SseDecoder, type SseEvent } from '../../src/kit/sse.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { everySplit } from '../helpers/chunks.js'

const USAGE = { promptTokens: 3, completionTokens: 5, reasoningTokens: 2, estimated: false }
const meta: ResponseMeta = { id: 'resp_x', createdAt: 1, model: 'm', body: { input: 'q' }, store: false }

interface Rendered {
  text: string
  final: Record<string, unknown>
}

function render(events: DeltaEvent[], opts: { reasoning?: ReasoningMode; failAfter?: number; namespaces?: Map<string, string> } = {}): Rendered {
  const w = new ResponseEvents(meta, { token: 'TOKEN', reasoning: opts.reasoning ?? 'field', namespaces: opts.namespaces ?? new Map() }, () => 2000)
  let text = ''
  for (const [i, e] of events.entries()) {
    if (i === opts.failAfter) {
      return { text: text + w.fail({ code: 'upstream_error', message: 'the upstream dropped the stream' }, USAGE), final: {} }
    }
    text += w.write(e)
  }
  const final = w.close(USAGE)
  return { text: text + w.end(final), final }
}

/**
 * Read the stream back under every split (the SSE events must come out the same each time), then
 * check the event lines and the numbering. The decoder is driven directly: a stream carries the
 * whole response object three times, and thousands of splits through an async reader are slow.
 */
function parse(text: string): any[] {
  let first: string | undefined
  for (const chunks of everySplit(text)) {
    const decoder = new SseDecoder()
    const events = [...chunks.flatMap((c) => decoder.push(c)), ...decoder.end()]
    const seen = JSON.stringify(events)
    if (first === undefined) first = seen
    else if (seen !== first) expect(seen).toBe(first)
  }
  const parsed = (JSON.parse(first!) as SseEvent[]).map((e) => {
    const data = JSON.parse(e.data)
    expect(e.event).toBe(data.type)
    return data
  })
  expect(parsed.map((e) => e.sequence_number)).toEqual(parsed.map((_, i) => i))
  return parsed
}

/** What the openai SDK makes of the events (as responses.stream() does). */
function accumulate(events: any[]): any {
  let snapshot: any
  for (const e of events) snapshot = accumulateResponse(e, snapshot)
  return snapshot
}

const types = (events: any[]) => events.map((e) => e.type)

describe('Responses event stream', () => {
  const answer: DeltaEvent[] = [
    { type: 'reasoning', text: '先想' },
    { type: 'reasoning', text: '一想🤔' },
    { type: 'text', text: '你好，' },
    { type: 'citations', items: [{ url: 'https://example.com/a', title: '甲' }] },
    { type: 'text', text: '世界！' },
    { type: 'usage', promptTokens: 3, completionTokens: 5, reasoningTokens: 2 },
    { type: 'finish', reason: 'stop' },
  ]

  it('sends the documented sequence, reasoning as a summary item, text with its citations', async () => {
    const { text, final } = render(answer)
    const events = parse(text)
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(events[0].response).toMatchObject({ id: 'resp_x', object: 'response', status: 'in_progress', output: [], usage: null })
    const completed = events.at(-1).response
    expect(completed).toEqual(final)
    expect(completed).toMatchObject({
      status: 'completed',
      completed_at: 2,
      usage: { input_tokens: 3, output_tokens: 5, total_tokens: 8, output_tokens_details: { reasoning_tokens: 2 } },
      output: [
        { type: 'reasoning', id: 'rs_TOKEN_0', summary: [{ type: 'summary_text', text: '先想一想🤔' }] },
        {
          type: 'message',
          id: 'msg_TOKEN_1',
          status: 'completed',
          role: 'assistant',
          content: [
            { type: 'output_text', text: '你好，世界！', annotations: [{ type: 'url_citation', url: 'https://example.com/a', title: '甲', start_index: 0, end_index: 6 }] },
          ],
        },
      ],
    })
    const { output_text: outputText, ...accumulated } = accumulate(events)
    expect(accumulated).toEqual(final)
    expect(outputText).toBe('你好，世界！')
  })

  it('folds reasoning into <think> text with -fold, and leaves it out when silent', async () => {
    const fold = accumulate(parse(render(answer, { reasoning: 'fold' }).text))
    expect(fold.output.map((i: any) => i.type)).toEqual(['message'])
    expect(fold.output_text).toBe('<think>\n先想一想🤔\n</think>\n\n你好，世界！')
    const hide = accumulate(parse(render(answer, { reasoning: 'hide' }).text))
    expect(hide.output.map((i: any) => i.type)).toEqual(['message'])
    expect(hide.output_text).toBe('你好，世界！')
  })

  it('streams function calls as items with call_id, names their namespace, and keeps interleaved arguments apart', async () => {
    const calls: DeltaEvent[] = [
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_call', index: 0, id: 'call_a', name: 'get_weather', args: '{"city":' },
      { type: 'tool_call', index: 1, id: 'call_b', name: 'spawn_agent', args: '{"task":' },
      { type: 'tool_call', index: 0, args: '"北京"}' },
      { type: 'tool_call', index: 1, args: '"x"}' },
      { type: 'finish', reason: 'tool_calls' },
    ]
    const { text, final } = render(calls, { namespaces: new Map([['spawn_agent', 'multi_agent_v1']]) })
    const events = parse(text)
    expect(types(events).filter((t) => t.startsWith('response.function_call_arguments'))).toEqual([
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.function_call_arguments.done',
    ])
    const done = events.filter((e) => e.type === 'response.function_call_arguments.done')
    expect(done.map((e) => [e.name, e.arguments])).toEqual([
      ['get_weather', '{"city":"北京"}'],
      ['spawn_agent', '{"task":"x"}'],
    ])
    expect(final.output).toEqual([
      expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: 'Let me check.' })] }),
      { type: 'function_call', id: 'fc_TOKEN_1', status: 'completed', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"北京"}' },
      { type: 'function_call', id: 'fc_TOKEN_2', status: 'completed', call_id: 'call_b', name: 'spawn_agent', arguments: '{"task":"x"}', namespace: 'multi_agent_v1' },
    ])
    const { output_text: _, ...accumulated } = accumulate(events)
    expect(accumulated).toEqual(final)
  })

  it('gives a call without an upstream id a call_id of its own', async () => {
    const { final } = render([{ type: 'tool_call', index: 0, name: 'f', args: '{}' }])
    expect(final.output).toEqual([expect.objectContaining({ type: 'function_call', call_id: 'call_TOKEN_0', name: 'f' })])
  })

  it('ends with response.incomplete (max_output_tokens) when the answer was cut at the length limit', async () => {
    const events = parse(render([{ type: 'text', text: 'cut sh' }, { type: 'finish', reason: 'length' }]).text)
    const last = events.at(-1)
    expect(last.type).toBe('response.incomplete')
    expect(last.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } })
    expect(last.response.output[0]).toMatchObject({ type: 'message', status: 'incomplete' })
  })

  it('ends a failed stream with response.failed carrying the error and the output so far', async () => {
    const events = parse(render([{ type: 'text', text: '半' }, { type: 'text', text: '句' }], { failAfter: 1 }).text)
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.failed',
    ])
    expect(events.at(-1).response).toMatchObject({
      status: 'failed',
      error: { code: 'upstream_error', message: 'the upstream dropped the stream' },
      output: [{ type: 'message', status: 'incomplete', content: [{ text: '半' }] }],
    })
  })

  it('completes an answer with nothing to show (only usage) with an empty output', async () => {
    const events = parse(render([{ type: 'usage', promptTokens: 1, completionTokens: 0 }]).text)
    expect(types(events)).toEqual(['response.created', 'response.in_progress', 'response.completed'])
    expect(events.at(-1).response.output).toEqual([])
  })
})
