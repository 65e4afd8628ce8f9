// The README's admin, user and record curl examples, run as written with the real curl against a
// started server (only the host, and placeholders such as <userToken ...>, are filled in).
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertRecords } from '../../src/db/records.repo.js'
import { type FakeDeepseek, startFakeDeepseek } from '../fakes/deepseek-web.js'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

const run = promisify(execFile)
const SECRET = 'readme-secret-1'
const PLACEHOLDERS: Record<string, string> = {
  '<userToken from chat.deepseek.com localStorage>': 'readme-deepseek-token',
  'sk-...': 'sk-readme-official',
}

interface Example {
  command: string
  /** The `# → {...}` line after it, when the README shows the answer. */
  shown?: unknown
}

/** The bash blocks of one README section: each curl command (continuation lines joined). */
function examplesOf(readme: string, heading: string): Example[] {
  const start = readme.indexOf(`\n${heading}\n`) + 1
  const rest = readme.slice(start + heading.length)
  const section = rest.slice(0, rest.search(/\n##/)) // the next heading (bash comments have one #)
  const out: Example[] = []
  for (const [, block] of section.matchAll(/```bash\n([\s\S]*?)```/g)) {
    const lines = block!.replace(/\\\n\s*/g, '').split('\n')
    for (const line of lines) {
      const shown = /^# → (\{.*\})$/.exec(line)
      if (shown && out.length) out.at(-1)!.shown = JSON.parse(shown[1]!)
      if (line.startsWith('curl ')) out.push({ command: line })
    }
  }
  return out
}

/** The same keys at every level: the README shows the answer's shape, not its values. */
const shape = (v: unknown): unknown =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]).sort()) : typeof v

const hasCurl = await run('curl', ['--version']).then(
  () => true,
  () => false,
)

let deepseek: FakeDeepseek
let official: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  deepseek = await startFakeDeepseek({ userTokens: ['readme-deepseek-token'] })
  official = await startFakeOpenAI(['sk-readme-official'])
  app = await startTestApp({
    env: { BACKEND_SECRET: SECRET },
    config: {
      providers: {
        'deepseek-web': { base_url: deepseek.url },
        'deepseek-api': { type: 'openai-compatible', base_url: `${official.url}/v1`, models: ['deepseek-chat'] },
      },
    },
  })
})
afterAll(async () => {
  await app.close()
  await deepseek.close()
  await official.close()
})

async function curlText(example: Example, env: Record<string, string> = {}) {
  let command = example.command.replaceAll('localhost:8000', new URL(app.url).host)
  for (const [placeholder, value] of Object.entries(PLACEHOLDERS)) command = command.replaceAll(placeholder, value)
  const { stdout } = await run('bash', ['-c', command], { env: { PATH: process.env.PATH, BACKEND_SECRET: SECRET, ...env } })
  return stdout
}

const curl = async (example: Example, env: Record<string, string> = {}) => JSON.parse(await curlText(example, env))

describe.skipIf(!hasCurl)('README curl examples', () => {
  const readme = readFileSync('README.md', 'utf8')

  it('## Adding credentials', async () => {
    const examples = examplesOf(readme, '## Adding credentials')
    expect(examples).toHaveLength(4)
    for (const example of examples) expect(await curl(example), example.command).toMatchObject({ code: 0, message: 'success' })
    const listed = await curl({ command: 'curl localhost:8000/api/credential -H "Authorization: $BACKEND_SECRET"' })
    expect(listed.data.map((c: { provider: string }) => c.provider).sort()).toEqual(['deepseek-api', 'deepseek-web'])
  })

  it('### Users, balances and records', async () => {
    const now = Date.now()
    // The delete example names record 7.
    await insertRecords(app.services.db, Array.from({ length: 7 }, () => ({ userId: 'alice', recordType: 1, createdAt: now })))
    const examples = examplesOf(readme, '### Users, balances and records')
    expect(examples).toHaveLength(5)
    for (const example of examples) {
      const answer = await curl(example)
      expect(answer, example.command).toMatchObject({ code: 0, msg: 'success' })
      if (example.shown) expect(shape(answer), example.command).toEqual(shape(example.shown))
    }
    const records = await curl({ command: 'curl "localhost:8000/record/list?isDeleted=1" -H "Authorization: $BACKEND_SECRET"' })
    expect(records.data.list.map((r: { id: number }) => r.id)).toEqual([7])
  })

  it('### Chat sessions (the Coze chatbot API shape)', async () => {
    const key = (await curl({ command: `curl -X PUT localhost:8000/api/key -H "Authorization: $BACKEND_SECRET" -d '{"remark":"sessions"}'` })).data.apiKey
    const examples = examplesOf(readme, '### Chat sessions (the Coze chatbot API shape)')
    expect(examples).toHaveLength(4)
    const [chat, stream, info, clear] = examples as [Example, Example, Example, Example]
    const answer = await curl(chat, { KEY: key })
    expect(answer).toMatchObject({ session_id: 's1', response: expect.any(String) })
    const lines = (await curlText(stream, { KEY: key })).split('\n\n').filter(Boolean).map((l) => JSON.parse(l.slice('data: '.length)))
    expect(lines.at(-1)).toMatchObject({ type: 'complete', data: { session_id: 's1', full_content: expect.any(String) } })
    expect(await curl(info, { KEY: key })).toMatchObject({ session_id: 's1', message_count: 4, status: 'active' })
    expect(await curl(clear, { KEY: key })).toMatchObject({ message: 'session cleared', session_id: 's1' })
  })
})
