// Codex CLI (the @openai/codex npm package, run offline) through Freeway's Responses door: a
// custom model provider with wire_api = "responses", a text turn, and a tool round trip where the
// fake upstream asks for a shell command, Codex runs it and sends back function_call_output.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_COMMAND, FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor } from '../helpers/compat.js'

const CODEX = join(process.cwd(), 'node_modules', '.bin', 'codex')

let fake: FakeOpenAI
let app: TestApp
let key: string
const dirs: string[] = []

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: { providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'agent'] } } },
  })
  key = await keyFor(app, 'codex-user')
})
afterAll(async () => {
  await app.close()
  await fake.close()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

interface CodexRun {
  code: number | null
  stdout: string
  stderr: string
  /** The --json event lines. */
  events: any[]
}

/** `codex exec` with Freeway as its model provider, in a fresh CODEX_HOME, stdin closed. */
function codexExec(model: string, prompt: string): Promise<CodexRun> {
  const home = mkdtempSync(join(tmpdir(), 'freeway-codex-home-'))
  const work = mkdtempSync(join(tmpdir(), 'freeway-codex-work-'))
  dirs.push(home, work)
  const provider = `model_providers.freeway={name="Freeway", base_url="${app.baseURL}", env_key="FREEWAY_API_KEY", wire_api="responses", request_max_retries=0, stream_max_retries=0}`
  const args = ['exec', '--json', '--skip-git-repo-check', '--disable', 'plugins', '-c', 'analytics.enabled=false', '-c', provider, '-c', 'model_provider="freeway"', '-c', `model="${model}"`, prompt]
  return new Promise((resolve, reject) => {
    const child = spawn(CODEX, args, { cwd: work, env: { ...process.env, CODEX_HOME: home, FREEWAY_API_KEY: key }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      const events = stdout.split('\n').flatMap((line) => (line.startsWith('{') ? [JSON.parse(line)] : []))
      resolve({ code, stdout, stderr, events })
    })
  })
}

const responsesCalls = () => fake.requests.filter((r) => r.path === '/v1/chat/completions')
const agentMessages = (run: CodexRun) => run.events.filter((e) => e.type === 'item.completed' && e.item?.type === 'agent_message').map((e) => e.item.text)

describe('Codex CLI', () => {
  it('completes a text turn', async () => {
    const before = responsesCalls().length
    const run = await codexExec('fake-model', 'say hi')
    expect(run.code, run.stderr).toBe(0)
    expect(agentMessages(run)).toEqual([FAKE_ANSWER.join('')])
    const sent = responsesCalls().slice(before)
    expect(sent).toHaveLength(1)
    // Codex's base prompt arrives as a developer message, which goes upstream as system.
    expect(sent[0]!.body.messages[0].role).toBe('system')
    expect(sent[0]!.body.messages.at(-1)).toEqual({ role: 'user', content: 'say hi' })
    expect(sent[0]!.body.tools.map((t: any) => t.function.name)).toContain('exec_command')
  }, 120_000)

  it('runs a tool round trip: function_call, the command, function_call_output, the answer', async () => {
    const before = responsesCalls().length
    const run = await codexExec('agent', 'run the check')
    expect(run.code, run.stderr).toBe(0)
    const commands = run.events.filter((e) => e.type === 'item.completed' && e.item?.type === 'command_execution').map((e) => e.item)
    expect(commands).toEqual([expect.objectContaining({ command: expect.stringContaining(AGENT_COMMAND), exit_code: 0 })])
    const answers = agentMessages(run)
    expect(answers.at(-1)).toMatch(/^The tool said: .*freeway-agent-ok/s)
    // Codex adds up the usage of both requests from their response.completed events.
    expect(run.events.find((e) => e.type === 'turn.completed').usage).toMatchObject({ input_tokens: 22, output_tokens: 14 })
    const sent = responsesCalls().slice(before)
    expect(sent).toHaveLength(2)
    const [, second] = sent
    const call = second!.body.messages.find((m: any) => m.tool_calls)
    expect(call.tool_calls[0].function).toEqual({ name: 'exec_command', arguments: JSON.stringify({ cmd: AGENT_COMMAND }) })
    expect(second!.body.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: call.tool_calls[0].id, content: expect.stringContaining('freeway-agent-ok') })
  }, 120_000)
})
