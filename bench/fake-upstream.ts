// The bench's fake OpenAI-compatible upstream: plain node:http, instant replies, responses built
// once at start. A stream is 20 small content chunks, a finish chunk, a usage chunk (when asked)
// and [DONE]. Run as its own process; prints "PORT <n>" once listening on 127.0.0.1.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'

export const STREAM_CHUNKS = 20
const MODEL = 'bench-model'
const created = 1_700_000_000
const words = Array.from({ length: STREAM_CHUNKS }, (_, i) => `word${i} `)
const usage = { prompt_tokens: 24, completion_tokens: STREAM_CHUNKS, total_tokens: 24 + STREAM_CHUNKS }

const completion = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created,
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: words.join('') }, finish_reason: 'stop' }],
    usage,
  }),
)

const chunk = (delta: object, finish: string | null, extra: object = {}) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created,
    model: MODEL,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  })}\n\n`

const streamChunks = [
  ...words.map((w, i) => Buffer.from(chunk(i === 0 ? { role: 'assistant', content: w } : { content: w }, null))),
  Buffer.from(chunk({}, 'stop')),
]
const usageChunk = Buffer.from(
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model: MODEL, choices: [], usage })}\n\n`,
)
const done = Buffer.from('data: [DONE]\n\n')
const models = Buffer.from(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model', created, owned_by: 'bench' }] }))

function reply(req: IncomingMessage, res: ServerResponse, raw: string): void {
  if (req.method === 'GET' && req.url?.endsWith('/models')) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': models.length })
    res.end(models)
    return
  }
  let body: { stream?: boolean; stream_options?: { include_usage?: boolean } }
  try {
    body = JSON.parse(raw)
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' })
    res.end('{"error":{"message":"bad json"}}')
    return
  }
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': completion.length })
    res.end(completion)
    return
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  for (const c of streamChunks) res.write(c)
  if (body.stream_options?.include_usage) res.write(usageChunk)
  res.end(done)
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const parts: Buffer[] = []
  req.on('data', (d: Buffer) => parts.push(d))
  req.on('end', () => reply(req, res, parts.length === 1 ? parts[0]!.toString() : Buffer.concat(parts).toString()))
})
server.listen(Number(process.env.FAKE_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`)
})
process.on('SIGTERM', () => process.exit(0))
