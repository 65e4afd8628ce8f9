// Start the real app on an ephemeral loopback port with a temporary database.
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { providers as registry } from '../../providers/index.js'
import { createApp } from '../../src/app.js'
import { buildConfig } from '../../src/config/load.js'
import { serveApp } from '../../src/http/fast-lane.js'
import { seedFromConfig } from '../../src/core/credential-service.js'
import { recoverAtStart } from '../../src/core/maintenance.js'
import { silentLogger } from '../../src/kit/log.js'
import type { ProviderDefinition } from '../../src/kit/types.js'
import { type Services, createServices } from '../../src/services.js'

export interface TestApp {
  url: string
  /** Base URL for the openai SDK (includes the route prefix and /v1). */
  baseURL: string
  services: Services
  /** The listening server and the app behind it (for shutdown tests). */
  server: import('node:http').Server
  app: ReturnType<typeof createApp>
  /** An openai SDK client pointed at the app (anonymous loopback unless apiKey given). */
  openai(apiKey?: string): OpenAI
  /** Call the admin API (loopback, no secret unless config sets one). */
  admin(method: string, path: string, body?: unknown, secret?: string): Promise<{ status: number; json: any }>
  close(): Promise<void>
}

export interface TestAppOptions {
  /** Raw config as it would appear in config.yaml (providers, routes, server...). */
  config?: Record<string, unknown>
  env?: Record<string, string>
  definitions?: readonly ProviderDefinition<any>[]
  /** Called as each request begins; what it returns, when the request is over (as main.ts's idle trim). */
  onRequest?: () => () => void
  /** Database file to use and keep on close (restart tests start a second app on the same file). */
  databasePath?: string
  /** Where the app logs (silent unless given). */
  log?: import('../../src/kit/log.js').Logger
  /** A postgres:// or mysql:// database instead of SQLite (see test/helpers/databases.ts). */
  databaseUrl?: string
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = options.databasePath ? undefined : mkdtempSync(join(tmpdir(), 'freeway-test-'))
  const raw = { ...options.config }
  raw.database = { path: options.databasePath ?? join(dir!, 'freeway.db'), ...(options.databaseUrl ? { url: options.databaseUrl } : {}) }
  raw.log_level = 'silent'
  const config = buildConfig(raw, { FREEWAY_SECRET_KEY: 'test-secret-key-0123456789', ...options.env })
  const services = await createServices(config, { definitions: options.definitions ?? registry, log: options.log ?? silentLogger })
  await seedFromConfig(services)
  await recoverAtStart(services)
  const app = createApp(services)
  await services.mcp.start()
  const server = serveApp(app, {
    port: 0,
    hostname: '127.0.0.1',
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`
  const baseURL = `${url}${config.server.route_prefix}/v1`
  return {
    url,
    baseURL,
    services,
    server,
    app,
    openai: (apiKey = 'anonymous') => new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: 15_000 }),
    async admin(method, path, body, secret) {
      const res = await fetch(`${url}/api${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(secret ? { authorization: secret } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return { status: res.status, json: await res.json() }
    },
    async close() {
      if (services.db.isOpen) {
        app.sockets.closeAll()
        await services.mcp.closeAll()
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        services.tasks.stop()
        await services.tasks.idle()
        await services.recorder.flush()
        await services.billing.flush()
        await services.pool.flushTouches()
        await services.shared?.close()
        await services.db.close()
      }
      if (dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}
