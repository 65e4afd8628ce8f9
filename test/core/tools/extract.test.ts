// The streaming extractor: every answer fed whole, cut in two at every byte and every UTF-16
// unit, and one unit at a time, must read the same; markup never reaches a text delta.
import { describe, expect, it } from 'vitest'
import { extractToolCalls } from '../../../src/core/tools/index.js'
import type { DeltaEvent } from '../../../src/kit/types.js'
import { drain } from '../../helpers/chunks.js'
import { extractEveryWay, outcomeOf, replay } from './cuts.js'

const known = new Set(['get_weather', 'read_file'])
const weather = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "巴黎 🗼"}}\n</tool_call>'
const readFile = '<tool_call>{"name":"read_file","arguments":{"path":"/tmp/a b.txt","lines":[1,2]}}</tool_call>'
const stop: DeltaEvent = { type: 'finish', reason: 'stop' }
const weatherCall = { index: 0, name: 'get_weather', args: '{"city":"巴黎 🗼"}' }
const readFileCall = { name: 'read_file', args: '{"path":"/tmp/a b.txt","lines":[1,2]}' }

describe('extractToolCalls', () => {
  it('passes text without blocks through unchanged, look-alikes included', async () => {
    const text = '你好 🌏 <b>bold</b>, `code`, a < b, <tool_calls> and ``` fences:\n```json\n{"a": 1}\n```\ntrailing  \n'
    const r = await extractEveryWay(text, { known }, { after: [stop] })
    expect(r).toEqual({ text, reasoning: '', calls: [], others: [stop] })
  })

  it('turns one block into a call and the finish into tool_calls', async () => {
    const r = await extractEveryWay(`\n${weather}\n`, { known }, { after: [stop] })
    expect(r).toEqual({ text: '', reasoning: '', calls: [weatherCall], others: [{ type: 'finish', reason: 'tool_calls' }] })
  })

  it('reads parallel calls in order; the whitespace around them goes with them', async () => {
    const r = await extractEveryWay(`I'll check both.\n\n${weather}\n${readFile}\n\n`, { known }, { after: [stop] })
    expect(r.text).toBe("I'll check both.")
    expect(r.calls).toEqual([weatherCall, { index: 1, ...readFileCall }])
    expect(r.others).toEqual([{ type: 'finish', reason: 'tool_calls' }])
  })

  it('keeps text after a call, with its own line break', async () => {
    const r = await extractEveryWay(`Let me look.\n${readFile}\nThen I answer.`, { known }, { after: [stop] })
    expect(r.text).toBe('Let me look.\nThen I answer.')
    expect(r.calls).toEqual([{ index: 0, ...readFileCall }])
  })

  it('accepts a block in a ```json fence, a fence inside the block and arguments given as a string', async () => {
    const fencedOutside = '```json\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "巴黎 🗼"}}\n</tool_call>\n```'
    const fencedInside = '<tool_call>\n```json\n{"name": "read_file", "arguments": "{\\"path\\": \\"/tmp/a b.txt\\", \\"lines\\": [1, 2]}"}\n```\n</tool_call>'
    const r = await extractEveryWay(`Checking.\n${fencedInside}\n${fencedOutside}\nDone.`, { known }, { after: [stop] })
    expect(r.text).toBe('Checking.\nDone.')
    expect(r.calls).toEqual([{ index: 0, ...readFileCall }, { ...weatherCall, index: 1 }])
  })

  it('gives back malformed blocks unchanged as text: bad JSON, unknown tool, no name, unterminated', async () => {
    const cases = [
      'A <tool_call>{"name": "get_weather", "arguments": {"city": }}</tool_call> B',
      'A\n<tool_call>\n{"name": "send_mail", "arguments": {}}\n</tool_call>\nB',
      '```json\n<tool_call>{"arguments": {"city": "x"}}</tool_call>\n```',
      '<tool_call>{"name": "get_weather", "arguments": [1]}</tool_call>',
      'Sure.\n```json\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "巴',
    ]
    for (const text of cases) {
      const r = await extractEveryWay(text, { known }, { after: [stop], markupAllowed: true })
      expect(r).toEqual({ text, reasoning: '', calls: [], others: [stop] })
    }
  })

  it('treats a block that is reopened before it closes as text, and reads the one that follows', async () => {
    const r = await extractEveryWay(`<tool_call>{"name": "get_weather",\n${readFile}`, { known }, { markupAllowed: true })
    expect(r.text).toBe('<tool_call>{"name": "get_weather",')
    expect(r.calls).toEqual([{ index: 0, ...readFileCall }])
    expect(r.others).toEqual([{ type: 'finish', reason: 'tool_calls' }])
  })

  it('leaves blocks inside reasoning alone and passes other events through in order', async () => {
    const reasoning: DeltaEvent = { type: 'reasoning', text: `I should call it: ${weather}` }
    const conversation: DeltaEvent = { type: 'conversation', id: 'c1', parentId: 'p1' }
    const usage: DeltaEvent = { type: 'usage', promptTokens: 10, completionTokens: 5 }
    const r = await extractEveryWay(weather, { known }, { before: [conversation, reasoning], after: [usage, stop] })
    expect(r.reasoning).toBe(reasoning.text)
    expect(r.calls).toEqual([weatherCall])
    expect(r.others).toEqual([conversation, usage, { type: 'finish', reason: 'tool_calls' }])
  })

  it('with parallel calls off, keeps the first call and drops the others', async () => {
    const r = await extractEveryWay(`${weather}\n${readFile}`, { known, maxCalls: 1 }, { after: [stop] })
    expect(r.calls).toEqual([weatherCall])
    expect(r.text).toBe('')
  })

  it('adds the missing finish, turns length into tool_calls and keeps content_filter', async () => {
    const length = await extractEveryWay(weather, { known }, { after: [{ type: 'finish', reason: 'length' }] })
    expect(length.others).toEqual([{ type: 'finish', reason: 'tool_calls' }])
    const filtered = await extractEveryWay(weather, { known }, { after: [{ type: 'finish', reason: 'content_filter' }] })
    expect(filtered.others).toEqual([{ type: 'finish', reason: 'content_filter' }])
    const none = await extractEveryWay('plain', { known })
    expect(none.others).toEqual([])
  })

  it('releases text as soon as it cannot start a block and holds a split opening tag', async () => {
    const source: DeltaEvent[] = [
      { type: 'text', text: 'Hello <to' },
      { type: 'text', text: 'ol_call>{"name": "read_file", "arguments": {}}</tool' },
      { type: 'text', text: '_call> bye' },
    ]
    const it = extractToolCalls(replay(source), { known })
    expect(await it.next()).toEqual({ done: false, value: { type: 'text', text: 'Hello' } })
    const call = await it.next()
    expect(call.value).toMatchObject({ type: 'tool_call', index: 0, name: 'read_file', args: '{}' })
    expect(await drain(it)).toEqual([{ type: 'text', text: ' bye' }, { type: 'finish', reason: 'tool_calls' }])
  })

  it('never ends a text delta on half a surrogate pair', async () => {
    const events = await drain(extractToolCalls(replay([{ type: 'text', text: 'a\ud83c' }, { type: 'text', text: '\udf0fb' }]), { known }))
    expect(events).toEqual([{ type: 'text', text: 'a' }, { type: 'text', text: '🌏b' }])
  })

  it('closes the source when the consumer stops early', async () => {
    let closed = false
    async function* source(): AsyncGenerator<DeltaEvent> {
      try {
        yield { type: 'text', text: 'one ' }
        yield { type: 'text', text: 'two' }
      } finally {
        closed = true
      }
    }
    for await (const e of extractToolCalls(source(), { known })) {
      expect(e).toEqual({ type: 'text', text: 'one' })
      break
    }
    expect(closed).toBe(true)
  })

  it('bounds the whitespace it looks back over: pages of it are released as text, not scanned again and again', async () => {
    const spaces = ' '.repeat(200_000)
    const source: DeltaEvent[] = [
      { type: 'text', text: `a${spaces}\`\`\`json${spaces}<tool_call>` },
      { type: 'text', text: `\`\`\`json\n{"name": "read_file", "arguments": {}}${spaces}\`\`\`${spaces}</tool_call>` },
      { type: 'text', text: `${spaces}\`\`\`${spaces}b${spaces}<` },
    ]
    const r = outcomeOf(await drain(extractToolCalls(replay(source), { known })))
    expect(r.calls).toEqual([{ index: 0, name: 'read_file', args: '{}' }])
    // The fence lies beyond the 256 characters looked back, so it stays text, as does the one after.
    const expected = `a${spaces}\`\`\`json${spaces.slice(256)}${spaces}\`\`\`${spaces}b${spaces}<`
    expect(r.text.length).toBe(expected.length)
    expect(r.text === expected).toBe(true) // no diff of a megabyte on failure
  })

  it('reads a block of 300 000 characters arriving three at a time (only the new piece is searched)', async () => {
    const content = '天气 '.repeat(100_000)
    const block = `<tool_call>{"name": "read_file", "arguments": {"path": "a", "content": "${content}"}}</tool_call>done`
    const source: DeltaEvent[] = []
    for (let i = 0; i < block.length; i += 3) source.push({ type: 'text', text: block.slice(i, i + 3) })
    const r = outcomeOf(await drain(extractToolCalls(replay(source), { known })))
    expect(r.calls).toEqual([{ index: 0, name: 'read_file', args: JSON.stringify({ path: 'a', content }) }])
    expect(r.text).toBe('done')
  })

  it('keeps up to 256 whitespace characters next to a block with it', async () => {
    const spaces = ' '.repeat(256)
    const r = outcomeOf(await drain(extractToolCalls(replay([{ type: 'text', text: `a${spaces}\`\`\`json${spaces}${weather}${spaces}\`\`\`${spaces}b` }]), { known })))
    expect(r).toMatchObject({ text: `a${spaces}b`, calls: [weatherCall] })
  })

  it('gives each call its own id', async () => {
    const events = await drain(extractToolCalls(replay([{ type: 'text', text: `${weather}${weather}` }]), { known }))
    const r = outcomeOf(events)
    expect(r.calls.map((c) => c.index)).toEqual([0, 1])
  })
})
