// The SSE writer's bytes, read back by our SSE reader whole and split at every byte.
import { describe, expect, it } from 'vitest'
import { ChunkWriter, sseError } from '../../src/http/doors/openai/chunks.js'
import type { ReasoningMode } from '../../src/core/router.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { readSse } from '../../src/kit/sse.js'
import { drain, everySplit, streamOf } from '../helpers/chunks.js'

const events: DeltaEvent[] = [
  { type: 'reasoning', text: '先想' },
  { type: 'reasoning', text: '一想🤔' },
  { type: 'text', text: '你好，' },
  { type: 'citations', items: [{ url: 'https://example.com/a', title: '甲' }] },
  { type: 'text', text: '世界！' },
  { type: 'usage', promptTokens: 3, completionTokens: 5 },
  { type: 'finish', reason: 'stop' },
]

function render(mode: ReasoningMode, includeUsage = false, evs = events): string {
  const w = new ChunkWriter({ id: 'chatcmpl-x', model: 'm', created: 1, reasoning: mode, includeUsage })
  return w.start() + evs.map((e) => w.write(e)).join('') + w.end({ promptTokens: 3, completionTokens: 5, estimated: false })
}

async function parse(text: string) {
  const out = []
  for (const chunks of everySplit(text)) {
    const evs = await drain(readSse(streamOf(chunks)))
    out.push(evs.map((e) => (e.data === '[DONE]' ? '[DONE]' : JSON.parse(e.data))))
  }
  for (const parsed of out) expect(parsed).toEqual(out[0])
  return out[0]!
}

const contentOf = (chunks: any[]) => chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('')

describe('ChunkWriter', () => {
  it('writes role first, reasoning_content deltas, content, finish with annotations, [DONE]', async () => {
    const chunks = await parse(render('field'))
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' })
    expect(chunks.map((c: any) => c.choices?.[0]?.delta?.reasoning_content ?? '').join('')).toBe('先想一想🤔')
    expect(contentOf(chunks)).toBe('你好，世界！')
    const final = chunks.at(-2)
    expect(final.choices[0].finish_reason).toBe('stop')
    expect(final.choices[0].delta.annotations).toEqual([
      { type: 'url_citation', url_citation: { url: 'https://example.com/a', title: '甲' } },
    ])
    expect(chunks.at(-1)).toBe('[DONE]')
    expect(chunks.every((c: any) => c === '[DONE]' || (c.id === 'chatcmpl-x' && c.object === 'chat.completion.chunk'))).toBe(true)
  })

  it('folds reasoning into <think> content', async () => {
    expect(contentOf(await parse(render('fold')))).toBe('<think>\n先想一想🤔\n</think>\n\n你好，世界！')
  })

  it('closes an open think block at the end', async () => {
    const chunks = await parse(render('fold', false, [{ type: 'reasoning', text: '只有思考' }]))
    expect(contentOf(chunks)).toBe('<think>\n只有思考\n</think>\n\n')
  })

  it('hides reasoning when silent', async () => {
    const chunks = await parse(render('hide'))
    expect(JSON.stringify(chunks)).not.toContain('先想')
    expect(contentOf(chunks)).toBe('你好，世界！')
  })

  it('adds a usage chunk with empty choices only when asked', async () => {
    const withUsage = await parse(render('field', true))
    expect(withUsage.at(-2)).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } })
    expect((await parse(render('field'))).some((c: any) => c.usage)).toBe(false)
  })

  it('streams tool calls with id, type and name only on the first delta', async () => {
    const chunks = await parse(
      render('field', false, [
        { type: 'tool_call', index: 0, id: 'call_1', name: 'f', args: '{"a":' },
        { type: 'tool_call', index: 0, args: '1}' },
      ]),
    )
    const calls = chunks.flatMap((c: any) => c.choices?.[0]?.delta?.tool_calls ?? [])
    expect(calls).toEqual([
      { index: 0, id: 'call_1', type: 'function', function: { arguments: '{"a":', name: 'f' } },
      { index: 0, function: { arguments: '1}' } },
    ])
    expect(chunks.at(-2).choices[0].finish_reason).toBe('tool_calls')
  })

  it('renders a late error as an error event then [DONE]', async () => {
    const parsed = await parse(sseError({ message: '上游断开', type: 'api_error', code: 'upstream_error' }))
    expect(parsed).toEqual([{ error: { message: '上游断开', type: 'api_error', param: null, code: 'upstream_error' } }, '[DONE]'])
  })
})
