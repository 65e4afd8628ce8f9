// Claude Code itself (the npm package's native CLI, headless) through Freeway's Messages door to
// the fake OpenAI upstream: a text turn and a Bash tool round trip, offline.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_BASH_COMMAND, FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor } from '../helpers/compat.js'

/** The native binary: the platform package's own, else the wrapper's copy made at install. */
function claudeBinary(): string {
  const require = createRequire(import.meta.url)
  try {
    const platformPackage = require.resolve(`@anthropic-ai/claude-code-${process.platform}-${process.arch}/package.json`)
    const bin = join(dirname(platformPackage), 'claude')
    if (existsSync(bin)) return bin
  } catch {
    // musl or an unusual platform: the wrapper's bin below
  }
  const wrapper = join(dirname(require.resolve('@anthropic-ai/claude-code/package.json')), 'bin', 'claude.exe')
  // Before its postinstall ran, bin/claude.exe is a small stub that only prints instructions.
  if (statSync(wrapper).size < 1_000_000) throw new Error('@anthropic-ai/claude-code has no native binary; run npm ci with install scripts allowed')
  return wrapper
}

let fake: FakeOpenAI
let app: TestApp
let key: string
let home: string

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: { providers: { upstream: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'agent'] } } },
  })
  key = await keyFor(app, 'coder')
  home = mkdtempSync(join(tmpdir(), 'freeway-claude-'))
})
afterAll(async () => {
  await app.close()
  await fake.close()
  rmSync(home, { recursive: true, force: true })
})

interface CliResult {
  is_error: boolean
  result: string
  num_turns: number
  usage: { input_tokens: number; output_tokens: number }
}

/** `claude -p` with only the environment it needs: nothing of the machine's own leaks in. */
function claude(model: string, prompt: string, ...flags: string[]): Promise<CliResult> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ANTHROPIC_BASE_URL: app.url,
    ANTHROPIC_API_KEY: key,
    ANTHROPIC_MODEL: model,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
  }
  return new Promise((resolve, reject) => {
    const child = execFile(claudeBinary(), ['-p', prompt, '--output-format', 'json', ...flags], { env, cwd: home, timeout: 90_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`claude failed: ${err.message}\n${stdout}\n${stderr}`))
      resolve(JSON.parse(stdout) as CliResult)
    })
    child.stdin?.end() // as stdin from /dev/null: an open pipe makes the CLI wait for input
  })
}

const messageRequests = () => fake.requests.filter((r) => r.path === '/v1/chat/completions')

describe('Claude Code headless', () => {
  it('completes a text turn', async () => {
    const before = messageRequests().length
    const out = await claude('fake-model', 'Say hello')
    expect(out.is_error).toBe(false)
    expect(out.result).toBe(FAKE_ANSWER.join(''))
    const sent = messageRequests().slice(before)
    expect(sent.length).toBeGreaterThanOrEqual(1)
    const body = sent[0]!.body
    // Its system blocks, the system entry it puts among the messages and its tools all arrive mapped.
    expect(body.messages[0].role).toBe('system')
    expect(body.messages.some((m: any) => m.role === 'user' && typeof m.content === 'string' && m.content.includes('Say hello'))).toBe(true)
    expect(body.tools.map((t: any) => t.function.name)).toContain('Bash')
    expect(body.stream).toBe(true)
    expect(out.usage.output_tokens).toBeGreaterThan(0)
  }, 120_000)

  it('completes a Bash tool round trip: tool_use → tool_result → answer', async () => {
    const before = messageRequests().length
    const out = await claude('agent', 'Print the marker with echo', '--allowedTools', 'Bash(echo *)')
    expect(out.is_error).toBe(false)
    expect(out.result).toBe('The tool said: freeway-tool-ok')
    const sent = messageRequests().slice(before)
    const last = sent.at(-1)!.body.messages
    const call = last.find((m: any) => m.role === 'assistant' && m.tool_calls)
    expect(JSON.parse(call.tool_calls[0].function.arguments).command).toBe(AGENT_BASH_COMMAND)
    expect(last.at(-1)).toMatchObject({ role: 'tool', tool_call_id: call.tool_calls[0].id, content: 'freeway-tool-ok' })
  }, 120_000)
})
