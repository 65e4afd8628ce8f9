// The coding-agent CLIs from npm, run headless and offline against a relay: Claude Code (`claude
// -p`, Messages door) and Codex CLI (`codex exec`, Responses door). Each run gets only the
// environment it needs and a fresh home, so nothing of the machine's own set-up leaks in.
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** Each CLI run may take this long (cold start, several upstream requests, a tool run). */
export const CLI_TIMEOUT_MS = 90_000

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

/** Temporary directories the runs made; `removeAgentDirs` deletes them after the tests. */
const dirs: string[] = []
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}
export const removeAgentDirs = () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** Where a CLI finds the relay and who it is there. */
export interface AgentTarget {
  /** The relay's origin (Claude Code appends /v1/messages itself). */
  url: string
  /** The relay's OpenAI base URL, route prefix and /v1 included (Codex appends /responses). */
  baseURL: string
  key: string
}

/** What `claude -p --output-format json` prints. */
export interface ClaudeResult {
  is_error: boolean
  result: string
  num_turns: number
  usage: { input_tokens: number; output_tokens: number }
}

/** `claude -p` in a fresh home, stdin closed, non-essential traffic (Anthropic's own services) off. */
export function runClaude(target: AgentTarget, model: string, prompt: string, ...flags: string[]): Promise<ClaudeResult> {
  const home = tempDir('freeway-claude-')
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ANTHROPIC_BASE_URL: target.url,
    ANTHROPIC_API_KEY: target.key,
    ANTHROPIC_MODEL: model,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
  }
  return new Promise((resolve, reject) => {
    const args = ['-p', prompt, '--output-format', 'json', ...flags]
    const child = execFile(claudeBinary(), args, { env, cwd: home, timeout: CLI_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`claude failed: ${err.message}\n${stdout}\n${stderr}`))
      resolve(JSON.parse(stdout) as ClaudeResult)
    })
    child.stdin?.end() // as stdin from /dev/null: an open pipe makes the CLI wait for input
  })
}

export interface CodexRun {
  code: number | null
  stdout: string
  stderr: string
  /** The --json event lines. */
  events: any[]
}

const CODEX = join(process.cwd(), 'node_modules', '.bin', 'codex')

/** `codex exec --json` with the relay as its model provider (wire_api responses), in a fresh CODEX_HOME. */
export function runCodex(target: AgentTarget, model: string, prompt: string): Promise<CodexRun> {
  const home = tempDir('freeway-codex-home-')
  const work = tempDir('freeway-codex-work-')
  const provider = `model_providers.freeway={name="Freeway", base_url="${target.baseURL}", env_key="FREEWAY_API_KEY", wire_api="responses", request_max_retries=0, stream_max_retries=0}`
  const args = ['exec', '--json', '--skip-git-repo-check', '--disable', 'plugins', '-c', 'analytics.enabled=false', '-c', provider, '-c', 'model_provider="freeway"', '-c', `model="${model}"`, prompt]
  return new Promise((resolve, reject) => {
    const child = spawn(CODEX, args, { cwd: work, env: { ...process.env, CODEX_HOME: home, FREEWAY_API_KEY: target.key }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      const events = stdout.split('\n').flatMap((line) => (line.startsWith('{') ? [JSON.parse(line)] : []))
      resolve({ code, stdout, stderr, events })
    })
  })
}

/** The agent's messages of a Codex run, in order. */
export const codexMessages = (run: CodexRun): string[] =>
  run.events.filter((e) => e.type === 'item.completed' && e.item?.type === 'agent_message').map((e) => e.item.text)

/** The shell commands a Codex run executed. */
export const codexCommands = (run: CodexRun): any[] =>
  run.events.filter((e) => e.type === 'item.completed' && e.item?.type === 'command_execution').map((e) => e.item)
