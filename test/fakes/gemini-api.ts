// A fake Gemini API (v1beta): the key in x-goog-api-key or ?key=, a wrong one answered like Google
// (400 INVALID_ARGUMENT, reason API_KEY_INVALID); bodies checked (gemini-api-validate.ts); answers
// streamed as `alt=sse` events (no [DONE]) or whole. Scripted replies: a function call when tools
// are offered to a user text, the tool's result echoed after a functionResponse, thoughts first
// when includeThoughts is on. Models fake-overloaded / fake-quota / fake-no-such-model fail.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { FakeUpstream, readJson, sendJson } from '../helpers/fake-server.js'
import { invalidBody } from './gemini-api-validate.js'

export const GEMINI_KEY = 'AIzaSyFakeGeminiKey000000000000000000'
export const ANSWER_PARTS = ['你好', '！我是 Gemini。', ' 😀']
export const THOUGHT_PARTS = ['Let me think', ' about it.']
export const USAGE = { promptTokenCount: 12, candidatesTokenCount: 7, totalTokenCount: 19 }
export const THOUGHT_TOKENS = 5

type Obj = Record<string, any>

export interface GeminiRequest {
  model: string
  method: string
  query: Record<string, string>
  headers: IncomingMessage['headers']
  body: Obj
}

const FAILURES: Record<string, [number, string, string]> = {
  'fake-overloaded': [503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  'fake-quota': [429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota.'],
  'fake-no-such-model': [404, 'NOT_FOUND', 'models/fake-no-such-model is not found for API version v1beta'],
}

export class FakeGemini extends FakeUpstream {
  readonly requests: GeminiRequest[] = []

  private error(res: ServerResponse, code: number, status: string, message: string, details?: unknown[]) {
    sendJson(res, code, { error: { code, message, status, ...(details ? { details } : {}) } })
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake')
    const key = req.headers['x-goog-api-key'] ?? url.searchParams.get('key')
    if (key !== GEMINI_KEY)
      return this.error(res, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
      ])
    if (url.pathname === '/v1beta/models' && req.method === 'GET') return sendJson(res, 200, { models: [{ name: 'models/gemini-2.5-flash' }] })
    const m = /^\/v1beta\/models\/([^:/]+):(generateContent|streamGenerateContent)$/.exec(url.pathname)
    if (!m || req.method !== 'POST') return this.error(res, 404, 'NOT_FOUND', `no route ${req.method} ${url.pathname}`)
    const model = decodeURIComponent(m[1]!)
    const body = await readJson<Obj>(req)
    this.requests.push({ model, method: m[2]!, query: Object.fromEntries(url.searchParams), headers: req.headers, body })
    const failure = FAILURES[model]
    if (failure) return this.error(res, ...failure)
    const wrong = invalidBody(body)
    if (wrong) return this.error(res, 400, 'INVALID_ARGUMENT', wrong)
    const chunks = this.reply(body)
    if (m[2] === 'generateContent') return sendJson(res, 200, merge(chunks))
    if (url.searchParams.get('alt') !== 'sse') return sendJson(res, 200, chunks)
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    for (const c of chunks) res.write(`data: ${JSON.stringify(c)}\r\n\r\n`)
    res.end()
  }

  /** The answer as the chunks a stream would carry. */
  private reply(body: Obj): Obj[] {
    const last = body.contents.at(-1) as Obj
    const thoughts = body.generationConfig?.thinkingConfig?.includeThoughts === true
    const usage = { ...USAGE, ...(thoughts ? { thoughtsTokenCount: THOUGHT_TOKENS, totalTokenCount: USAGE.totalTokenCount + THOUGHT_TOKENS } : {}) }
    const chunk = (parts: Obj[], finish?: string): Obj => ({
      candidates: [{ content: { role: 'model', parts }, index: 0, ...(finish ? { finishReason: finish } : {}) }],
      usageMetadata: finish ? usage : { promptTokenCount: USAGE.promptTokenCount, totalTokenCount: USAGE.promptTokenCount },
      modelVersion: 'fake-gemini',
      responseId: 'fake-response',
    })
    const lead = thoughts ? THOUGHT_PARTS.map((text) => chunk([{ text, thought: true }])) : []
    const response = last.parts.find((p: Obj) => p.functionResponse)?.functionResponse
    if (response) return [...lead, chunk([{ text: `The tool said: ${response.response.content ?? JSON.stringify(response.response)}` }], 'STOP')]
    const declared = body.tools?.[0]?.functionDeclarations?.[0]?.name
    if (declared && body.toolConfig?.functionCallingConfig?.mode !== 'NONE')
      return [...lead, chunk([{ functionCall: { name: declared, args: { city: '北京' } }, thoughtSignature: 'c2lnLTE=' }], 'STOP')]
    const images = last.parts.filter((p: Obj) => p.inlineData || p.fileData).length
    const parts = images ? [`I see ${images} image(s).`] : ANSWER_PARTS
    return [...lead, ...parts.map((text, i) => chunk([{ text }], i === parts.length - 1 ? 'STOP' : undefined))]
  }
}

/** A non-streamed answer: the chunks' parts in one candidate (thought parts stay separate). */
function merge(chunks: Obj[]): Obj {
  const parts = chunks.flatMap((c) => c.candidates[0].content.parts)
  const last = chunks.at(-1)!
  return { ...last, candidates: [{ ...last.candidates[0], content: { role: 'model', parts } }] }
}

export const startFakeGemini = () => new FakeGemini().start()
