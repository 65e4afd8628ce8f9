// A real browser for tests: Debian's Chromium driven by playwright-core (which never downloads a
// browser of its own). Pages may reach loopback only: any other request is blocked, recorded,
// and fails the test when the browser is closed.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, type Page, chromium } from 'playwright-core'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/** --disable-background-networking and friends: Chromium itself must not phone home either. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
]

export interface TestBrowser {
  /** A new tab in the browser's one context. */
  newPage(): Promise<Page>
  /** URLs the pages tried to load off loopback; each was blocked. */
  readonly blocked: readonly string[]
  /** Uncaught errors thrown by the pages' scripts. */
  readonly pageErrors: readonly string[]
  /** Closes Chromium and deletes its profile; then throws if a page tried to leave loopback. */
  close(): Promise<void>
}

export function isLoopbackUrl(url: string): boolean {
  const { protocol, hostname } = new URL(url)
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname)
}

/** Launches Chromium headless with a fresh profile; throws (never skips) when it is not installed. */
export async function launchBrowser(executablePath = CHROMIUM_PATH): Promise<TestBrowser> {
  if (!existsSync(executablePath))
    throw new Error(`browser tests need Chromium at ${executablePath}: install it with \`apt-get install -y chromium\` as root (.ci/run does)`)
  const profile = mkdtempSync(join(tmpdir(), 'freeway-chromium-'))
  let context: BrowserContext
  try {
    // A persistent context is how playwright takes a --user-data-dir of ours.
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      serviceWorkers: 'block', // their requests would bypass the routing below
    })
  } catch (err) {
    rmSync(profile, { recursive: true, force: true })
    throw err
  }

  const blocked: string[] = []
  const pageErrors: string[] = []
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (isLoopbackUrl(url)) return route.continue()
    blocked.push(url)
    return route.abort('blockedbyclient')
  })
  await context.routeWebSocket(
    (url) => !isLoopbackUrl(url.href.replace(/^ws/, 'http')),
    (ws) => {
      blocked.push(ws.url())
      return ws.close()
    },
  )
  const watch = (page: Page) => page.on('pageerror', (err) => pageErrors.push(err.message))
  context.pages().forEach(watch)
  context.on('page', watch)

  return {
    newPage: () => context.newPage(),
    blocked,
    pageErrors,
    async close() {
      try {
        await context.close()
      } finally {
        rmSync(profile, { recursive: true, force: true })
      }
      if (blocked.length) throw new Error(`the page tried to reach beyond loopback (blocked): ${blocked.join(', ')}`)
    },
  }
}
