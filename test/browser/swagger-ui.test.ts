// Swagger UI renders in a real browser from what the relay serves alone: every request the page
// makes stays on loopback (the helper blocks and reports any other).
import { afterEach, describe, expect, it } from 'vitest'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { type TestBrowser, launchBrowser } from '../helpers/browser.js'

let app: TestApp | undefined
let browser: TestBrowser | undefined

afterEach(async () => {
  try {
    await browser?.close()
  } finally {
    browser = undefined
    await app?.close()
    app = undefined
  }
})

describe('Swagger UI in Chromium', () => {
  it('renders the operations from /openapi.json with no request leaving loopback', async () => {
    app = await startTestApp()
    browser = await launchBrowser()
    const page = await browser.newPage()
    const loaded: string[] = []
    page.on('requestfinished', (req) => loaded.push(new URL(req.url()).pathname))

    const res = await page.goto(`${app.url}/docs`)
    expect(res?.status()).toBe(200)
    const chat = page.locator('.opblock-summary-path', { hasText: /^\/v1\/chat\/completions$/ })
    await chat.waitFor({ state: 'visible', timeout: 30_000 })
    await expect(page.locator('.info .title').textContent()).resolves.toContain('Freeway')

    // The UI is live, not a static page: opening the operation shows its details.
    await chat.click()
    await page.locator('.opblock.is-open .try-out__btn').waitFor({ state: 'visible' })

    expect(loaded).toEqual(expect.arrayContaining(['/docs', '/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/openapi.json']))
    expect(browser.pageErrors).toEqual([])
    expect(browser.blocked).toEqual([])
  }, 90_000)

  it('blocks and reports a request that leaves loopback, failing the test at close', async () => {
    browser = await launchBrowser()
    const page = await browser.newPage()
    const failed = new Promise<string>((done) => page.once('requestfailed', (req) => done(req.failure()?.errorText ?? '')))
    await page.setContent('<img src="http://192.0.2.1/pixel.png">') // TEST-NET-1: never routed
    expect(await failed).toMatch(/BLOCKED_BY_CLIENT/)
    expect(browser.blocked).toEqual(['http://192.0.2.1/pixel.png'])
    const closing = browser.close()
    browser = undefined
    await expect(closing).rejects.toThrow('the page tried to reach beyond loopback (blocked): http://192.0.2.1/pixel.png')
  }, 90_000)

  it('fails with the install command, rather than skipping, when Chromium is missing', async () => {
    await expect(launchBrowser('/nonexistent/chromium')).rejects.toThrow(
      'browser tests need Chromium at /nonexistent/chromium: install it with `apt-get install -y chromium` as root (.ci/run does)',
    )
  })
})
