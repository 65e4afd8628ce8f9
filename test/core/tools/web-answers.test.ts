// Answers with tool-call blocks as each web upstream streams them: the wire bytes, fed whole, cut
// in two at every byte and byte by byte, read by the provider's parser and then the extractor.
import { describe, expect, it } from 'vitest'
import { type Envelope, newPollState, pollDeltas } from '../../../providers/minimax-web/parse.js'
import { extractToolCalls } from '../../../src/core/tools/index.js'
import type { DeltaEvent } from '../../../src/kit/types.js'
import { byteByByte, drain, everySplit } from '../../helpers/chunks.js'
import { type Outcome, outcomeOf, replay } from './cuts.js'
import { pieces, webWires } from './web-wires.js'

const known = new Set(['get_weather', 'read_file'])
const before = 'OK 好。'
const answer = `${before}\n\`\`\`json\n<tool_call>{"name": "get_weather", "arguments": {"city": "巴黎 🗼"}}</tool_call>\n\`\`\``
const reasoning = '想：<tool_call>{"name": "get_weather"}</tool_call>'
const calls = [{ index: 0, name: 'get_weather', args: '{"city":"巴黎 🗼"}' }]

const extracted = async (events: DeltaEvent[]) => outcomeOf(await drain(extractToolCalls(replay(events), { known })))

describe('tool calls in each web upstream answer stream', () => {
  for (const wire of webWires({ answer, reasoning })) {
    it(`${wire.name}: the call out, clean text before it, reasoning untouched, finish tool_calls`, async () => {
      const whole = await extracted(await wire.read([wire.bytes]))
      expect(whole.text).toBe(wire.answer.replace(answer, before))
      expect(whole.calls).toEqual(calls)
      expect(whole.reasoning).toBe(wire.reasoning)
      expect(whole.others.filter((e) => e.type === 'finish')).toEqual([{ type: 'finish', reason: 'tool_calls' }])
      expect(whole.others.at(-1)).toEqual({ type: 'finish', reason: 'tool_calls' })
      const expected = JSON.stringify(whole)
      for (const chunks of [...everySplit(wire.bytes), byteByByte(wire.bytes)]) {
        const got: Outcome = await extracted(await wire.read(chunks))
        if (JSON.stringify(got) !== expected) expect(got).toEqual(whole) // compare cheaply, report fully
      }
    })
  }

  it('minimax-web (agent polls): cumulative answers polled at every growth step', async () => {
    const poll = (text: string, think: string, status: number): Envelope => ({
      base_resp: { status_code: 0, status_msg: 'success' },
      chat: { chat_id: '306000000000000007', chat_status: status },
      messages: [
        { msg_id: '306000000000000014', msg_type: 1, msg_content: '北京天气', extra_info: null },
        { msg_id: '306000000000000021', msg_type: 2, msg_content: text, extra_info: { thinking_content: think } },
      ],
    } as Envelope)
    for (const size of [1, 2, 3, 5, 8, 13, 1000]) {
      const state = newPollState()
      const events: DeltaEvent[] = []
      const snapshots = pieces(answer, size).map((_, i, all) => all.slice(0, i + 1).join(''))
      for (const [i, text] of ['', ...snapshots].entries()) {
        const { events: found, done } = pollDeltas(poll(text, reasoning, i === snapshots.length ? 2 : 1), state, '306000000000000014')
        events.push(...found)
        if (done) events.push({ type: 'finish', reason: 'stop' })
      }
      expect(await extracted(events)).toEqual({ text: before, reasoning, calls, others: [{ type: 'finish', reason: 'tool_calls' }] })
    }
  })
})
