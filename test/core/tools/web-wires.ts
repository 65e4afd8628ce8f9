// Each web upstream's answer stream as it arrives on the wire, carrying a given answer and
// reasoning, and the provider's own parser reading it back. Where a fake already builds its stream
// (deepseek-web, glm-web, hixai-web) its builder is used; the others are shaped like the
// provider's recorded fixtures (named next to each builder), with the answer in small pieces.
import { IntlStreamParser } from '../../../providers/qwen-web/parse-intl.js'
import { QianwenStreamParser } from '../../../providers/qwen-web/parse-qianwen.js'
import { TongyiStreamParser } from '../../../providers/qwen-web/parse-tongyi.js'
import { CompletionStreamParser, SamanthaStreamParser, parseDoubaoStream } from '../../../providers/doubao-web/parse.js'
import { type ParserState, createParserState, parseEvent } from '../../../providers/deepseek-web/parse.js'
import { parseGlmStream } from '../../../providers/glm-web/parse.js'
import { streamResults } from '../../../providers/hixai-web/parse.js'
import { KimiConnectParser } from '../../../providers/kimi-web/parse.js'
import { MetasoParser } from '../../../providers/metaso-web/parse.js'
import { parseHailuoStream } from '../../../providers/minimax-web/parse.js'
import { parseQwenStream } from '../../../providers/qwen-web/index.js'
import { CONNECT_FLAG_END_STREAM, encodeConnectFrame, readConnectMessages } from '../../../src/kit/connect.js'
import { readSse } from '../../../src/kit/sse.js'
import type { DeltaEvent } from '../../../src/kit/types.js'
import { STREAM_BUILDERS } from '../../fakes/deepseek-web-streams.js'
import { framesFor } from '../../fakes/glm-web.js'
import { chatReply, reasoningText, replyText } from '../../fakes/hixai-web-replies.js'
import { drain, streamOf } from '../../helpers/chunks.js'

export interface Said {
  answer: string
  reasoning: string
}

export interface WebWire {
  name: string
  bytes: Uint8Array
  /** The provider's parser over the bytes, cut into these chunks. */
  read(chunks: Uint8Array[]): Promise<DeltaEvent[]>
  /** The answer text the upstream sends, when the fake frames it (hixai-web names bot and turn). */
  answer: string
  /** The reasoning reaches the client unchanged (providers without reasoning send none). */
  reasoning: string
}

const encoder = new TextEncoder()
const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`

/** Pieces of a few code points, so a tag or a character's bytes cross frame and chunk boundaries. */
export function pieces(text: string, size: number): string[] {
  const chars = [...text]
  const out: string[] = []
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''))
  return out
}

/** Cumulative snapshots of the pieces: what upstreams that resend the whole answer send. */
const growing = (text: string, size: number) => pieces(text, size).map((_, i, all) => all.slice(0, i + 1).join(''))

function deepseek(said: Said, generation: keyof typeof STREAM_BUILDERS): WebWire {
  const plan = { sessionId: 's-1', requestMessageId: 1, responseMessageId: 2, sources: [], modelType: 'default', ...said }
  const read = async (chunks: Uint8Array[]) => {
    const state: ParserState = createParserState()
    const out: DeltaEvent[] = []
    for await (const event of readSse(streamOf(chunks)))
      for (const item of parseEvent(state, event)) if (item.type === 'text' || item.type === 'reasoning') out.push(item)
    if (state.status === 'FINISHED') out.push({ type: 'finish', reason: 'stop' })
    return out
  }
  return { name: `deepseek-web (${generation})`, bytes: encoder.encode(STREAM_BUILDERS[generation](plan).join('')), read, ...said }
}

/** Like kimi-web/fixtures/connect-think.json: chat, messages, think set/append, text set/append, status, done, trailer. */
function kimi(said: Said): WebWire {
  const frames: Record<string, unknown>[] = [
    { op: 'set', eventOffset: 1, chat: { id: 'chat-1', name: '未命名会话' } },
    { eventOffset: 2, heartbeat: {} },
    { op: 'set', mask: 'message', message: { id: 'u-1', role: 'user', status: 'MESSAGE_STATUS_COMPLETED', blocks: [] } },
    { op: 'set', mask: 'message', message: { id: 'a-1', parentId: 'u-1', role: 'assistant', status: 'MESSAGE_STATUS_GENERATING' } },
    ...pieces(said.reasoning, 6).map((content, i) =>
      i === 0 ? { op: 'set', mask: 'block.think', block: { id: '1', think: { content } } } : { op: 'append', mask: 'block.think.content', block: { id: '1', think: { content } } },
    ),
    { op: 'set', mask: 'block.text', block: { id: '0_1', text: {} } },
    ...pieces(said.answer, 10).map((content, i) => ({ op: i ? 'append' : 'set', mask: i ? 'block.text.content' : 'block.text', block: { id: '0_1', text: { content } } })),
    { op: 'set', mask: 'message.status', message: { id: 'a-1', status: 'MESSAGE_STATUS_COMPLETED' } },
    { eventOffset: 99, done: {} },
  ]
  const bytes = Buffer.concat([...frames.map((f) => encodeConnectFrame(f)), encodeConnectFrame({}, CONNECT_FLAG_END_STREAM)])
  const read = async (chunks: Uint8Array[]) => {
    const parser = new KimiConnectParser()
    const out: DeltaEvent[] = []
    for await (const msg of readConnectMessages(streamOf(chunks))) {
      out.push(...parser.push(msg))
      if (parser.ended) break
    }
    return parser.completed ? [...out, ...parser.finish()] : out
  }
  return { name: 'kimi-web', bytes, read, ...said }
}

/** Like qwen-web/fixtures/intl-think.sse: response.created, think-phase deltas, answer-phase deltas, finished with usage. */
function qwenIntl(said: Said): WebWire {
  const delta = (content: string, phase: string, status = 'typing') => sse({ choices: [{ delta: { role: 'assistant', content, phase, status, extra: {} } }] })
  const body = [
    sse({ 'response.created': { chat_id: 'c0ffee00-1111-4222-a333-444455556666', parent_id: null, response_id: 'r-1' } }),
    ...pieces(said.reasoning, 8).map((p) => delta(p, 'think')),
    delta('', 'think', 'finished'),
    ...pieces(said.answer, 10).map((p) => delta(p, 'answer')),
    sse({ choices: [{ delta: { content: '', phase: 'answer', status: 'finished' } }], usage: { input_tokens: 5, output_tokens: 17 } }),
  ].join('')
  const read = (chunks: Uint8Array[]) => drain(parseQwenStream(streamOf(chunks), new IntlStreamParser('c0ffee00-1111-4222-a333-444455556666')))
  return { name: 'qwen-web (intl)', bytes: encoder.encode(body), read, ...said }
}

/** Like qwen-web/fixtures/tongyi-hello.sse: cumulative `contents`, msgStatus finished, [DONE]; no reasoning. */
function qwenTongyi(said: Said): WebWire {
  const frame = (content: string, msgStatus: string) =>
    sse({ sessionId: 'a'.repeat(32), msgId: 'b'.repeat(32), msgStatus, contentType: 'text', canShare: true, errorCode: '', contents: [{ contentType: 'text', role: 'assistant', content }] })
  const snapshots = growing(said.answer, 14)
  const body = [...snapshots.map((s) => frame(s, 'generating')), frame(said.answer, 'finished'), sse('[DONE]')].join('')
  const read = (chunks: Uint8Array[]) => drain(parseQwenStream(streamOf(chunks), new TongyiStreamParser()))
  return { name: 'qwen-web (tongyi)', bytes: encoder.encode(body), read, answer: said.answer, reasoning: '' }
}

/** Like qwen-web/fixtures/qianwen-think-sources.sse: cumulative multi_load/iframe after the think marker, `event: complete`. */
function qwenQianwen(said: Said): WebWire {
  const communication = { sessionid: 'c'.repeat(32), reqid: 'd'.repeat(32) }
  const frame = (content: string, think: string) =>
    sse(
      { error_code: 0, error_msg: '', data: { messages: [{ mime_type: 'multi_load/iframe', content, status: 'processing', meta_data: { multi_load: [{ content: { think_content: think } }] } }] }, communication },
      'message',
    )
  const body = [
    ...growing(said.reasoning, 16).map((t) => frame('', t)),
    ...growing(said.answer, 16).map((s) => frame(`[(multimodal_chat_think_1)]${s}`, said.reasoning)),
    sse({ error_code: 0, error_msg: '', data: { messages: [] } }, 'complete'),
  ].join('')
  const read = (chunks: Uint8Array[]) => drain(parseQwenStream(streamOf(chunks), new QianwenStreamParser()))
  return { name: 'qwen-web (qianwen)', bytes: encoder.encode(body), read, ...said }
}

/** Like doubao-web/fixtures/completion-search-think.sse: SSE_ACK, a thinking block fed by CHUNK_DELTA, the answer block, SSE_REPLY_END. */
function doubaoCompletion(said: Said): WebWire {
  const [first = '', ...rest] = pieces(said.answer, 5)
  const block = (type: number, id: string, text: string, finish = false) => ({ block_type: type, block_id: id, parent_id: '', is_finish: finish, content: { text_block: { text } } })
  const body = [
    ': ping\n\n',
    sse({ ack_client_meta: { conversation_id: '7512345678901234567', section_id: '7512345678901234999' } }, 'SSE_ACK'),
    sse({ content: { content_block: [block(10040, 'think-1', '')] } }, 'STREAM_MSG_NOTIFY'),
    ...pieces(said.reasoning, 5).map((text) => sse({ text }, 'CHUNK_DELTA')),
    sse({ patch_op: [{ patch_value: { content_block: [block(10040, 'think-1', said.reasoning, true)] } }] }, 'STREAM_CHUNK'),
    sse({ content: { content_block: [block(10000, 'ans-1', first)] } }, 'STREAM_MSG_NOTIFY'),
    ...rest.map((text) => sse({ text }, 'CHUNK_DELTA')),
    sse({ end_type: 1 }, 'SSE_REPLY_END'),
  ].join('')
  const read = (chunks: Uint8Array[]) => drain(parseDoubaoStream(streamOf(chunks), new CompletionStreamParser()))
  return { name: 'doubao-web (completion)', bytes: encoder.encode(body), read, ...said }
}

/** Like doubao-web/fixtures/samantha-hello.sse: event_type 2002 ack, 2001 deltas with JSON-in-JSON content, is_finish, 2003. */
function doubaoSamantha(said: Said): WebWire {
  const event = (type: number, data: unknown) => sse({ event_type: type, event_data: JSON.stringify(data) })
  const message = (content: unknown, extra: Record<string, unknown> = {}) =>
    event(2001, { message_id: '40773000520', conversation_id: '40772900100', message: { content_type: 2001, content: JSON.stringify(content) }, ...extra })
  const body = [
    event(2002, { conversation_id: '40772900100', section_id: '40772900101' }),
    ...pieces(said.answer, 12).map((text) => message({ text }, { is_delta: true })),
    message({}, { is_finish: true }),
    event(2003, {}),
  ].join('')
  const read = (chunks: Uint8Array[]) => drain(parseDoubaoStream(streamOf(chunks), new SamanthaStreamParser()))
  return { name: 'doubao-web (samantha)', bytes: encoder.encode(body), read, answer: said.answer, reasoning: '' }
}

/** Like minimax-web/fixtures/hailuo-stream.sse: cumulative message_result content, isEnd 0 at the end; no reasoning. */
function minimaxHailuo(said: Said): WebWire {
  const result = (content: string, isEnd: number) =>
    sse({ type: 2, statusInfo: { code: 0, message: 'Success' }, data: { messageResult: { chatID: '288000000000000011', msgID: '288000000000000022', isEnd, content, extra: {} } } }, 'message_result')
  const body = [sse({ type: 0 }, 'heartbeat'), ...growing(said.answer, 14).map((s) => result(s, 1)), result(said.answer, 0)].join('')
  const read = (chunks: Uint8Array[]) => drain(parseHailuoStream(streamOf(chunks)))
  return { name: 'minimax-web (hailuo)', bytes: encoder.encode(body), read, answer: said.answer, reasoning: '' }
}

/** Like metaso-web/fixtures/search-detail.sse: `append-text` payloads, then [DONE]; no reasoning. */
function metaso(said: Said): WebWire {
  const body = [`data:${JSON.stringify({ type: 'heartbeat' })}\n\n`, ...pieces(said.answer, 6).map((text) => `data:${JSON.stringify({ type: 'append-text', text })}\n\n`), 'data:[DONE]\n\n'].join('')
  const read = async (chunks: Uint8Array[]) => {
    const parser = new MetasoParser()
    const out: DeltaEvent[] = []
    for await (const ev of readSse(streamOf(chunks))) {
      out.push(...parser.push(ev.data))
      if (parser.ended) break
    }
    return [...out, ...parser.finish()]
  }
  return { name: 'metaso-web', bytes: encoder.encode(body), read, answer: said.answer, reasoning: '' }
}

/** The fake's own reply: it streams "[bot] 第1轮 答复：<question>" after its reasoning, and no finish. */
function hixai(said: Said): WebWire {
  const bytes = encoder.encode(chatReply('deepseek-r1', 1, said.answer).join(''))
  const read = async (chunks: Uint8Array[]) => {
    const out: DeltaEvent[] = []
    for await (const r of streamResults(streamOf(chunks))) out.push(...r.events)
    return out
  }
  return { name: 'hixai-web', bytes, read, answer: replyText('deepseek-r1', 1, said.answer), reasoning: reasoningText(said.answer) }
}

/** glm-web's fake builds cumulative part snapshots (think, then text) from a plan. */
function glm(said: Said): WebWire {
  const body = framesFor('6620ab12cd34ef56ab78cd90', { think: said.reasoning, text: said.answer, step: 16 }).map((f) => sse(f)).join('')
  const read = (chunks: Uint8Array[]) => drain(parseGlmStream(streamOf(chunks)))
  return { name: 'glm-web', bytes: encoder.encode(body), read, ...said }
}

export function webWires(said: Said): WebWire[] {
  return [
    deepseek(said, 'fragments'),
    deepseek(said, 'plain-paths'),
    kimi(said),
    qwenIntl(said),
    qwenTongyi(said),
    qwenQianwen(said),
    glm(said),
    doubaoCompletion(said),
    doubaoSamantha(said),
    minimaxHailuo(said),
    metaso(said),
    hixai(said),
  ]
}
