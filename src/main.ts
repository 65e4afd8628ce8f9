// Entry point: load config → open db + migrate → createApp → serve; graceful SIGTERM.
import { setFlagsFromString } from 'node:v8'
import { providers } from '../providers/index.js'
import { createApp } from './app.js'
import { databaseTarget, describeTarget } from './config/database.js'
import { ConfigError, loadConfig } from './config/load.js'
import { seedFromConfig } from './core/credential-service.js'
import { memoryReducingGc, startIdleTrim } from './core/idle-trim.js'
import { pruneOld, recoverAtStart, startMaintenance } from './core/maintenance.js'
import { serveApp } from './http/fast-lane.js'
import { VERSION, createServices } from './services.js'
import { shutdownGracefully } from './shutdown.js'

// V8's allocation-site pretenuring watches which sites' objects survive young collections and,
// past a threshold, allocates theirs in the old generation from then on. Under load a relay's
// per-request objects (alive across a collection or two while their upstream answers) can trip
// it; each such object then holds the rest of its request into the old generation: some runs
// promoted 2.4 times the bytes per request, and ran as many more full collections, as others.
// Without it every run promotes the same (README, Benchmark, "2026-12-05"). NODE_OPTIONS refuses
// the flag, so it is set here, before any request.
setFlagsFromString('--no-allocation-site-pretenuring')

async function start() {
  const config = loadConfig()
  const s = await createServices(config, { definitions: providers })
  const seeded = await seedFromConfig(s)
  await recoverAtStart(s)
  const app = createApp(s)
  // The servers connect in the background; /mcp/get shows each one's status.
  s.mcp.start().catch((err: unknown) => s.log.error(`MCP servers not started: ${(err as Error).message}`))
  const stopMaintenance = startMaintenance(s)
  void pruneOld(s)

  const mb = (bytes: number) => (bytes / 1048576).toFixed(1)
  const trim = startIdleTrim(memoryReducingGc(), (before, after) => s.log.debug(`idle trim: RSS ${mb(before)} -> ${mb(after)} MB`))
  const server = serveApp(app, { port: config.server.port, hostname: config.server.host, onRequest: trim.touch }, (info) => {
    const host = info.address.includes(':') ? `[${info.address}]` : info.address
    s.log.info(
      `freeway ${VERSION} listening on http://${host}:${info.port}${config.server.route_prefix}/v1 ` +
        `(providers: ${[...s.instances.keys()].join(', ') || 'none'}; database: ${describeTarget(databaseTarget(config.database))}` +
        `${seeded ? `; ${seeded} credentials from config` : ''})`,
    )
    if (!config.admin.secret) s.log.warn('BACKEND_SECRET is not set: the admin API answers loopback clients only')
    void trim.trimNow() // what start-up allocated (module loading, migrations) is garbage by now
  })

  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    const grace = config.server.shutdown_grace_ms
    s.log.info(`${signal}: shutting down (running answers get ${grace} ms)`)
    stopMaintenance()
    trim.stop()
    shutdownGracefully(s, server, app.serving.inflight, grace, () => {
      app.sockets.closeAll()
      void s.mcp.closeAll()
    }).then(
      () => process.exit(0),
      (err: unknown) => {
        s.log.error(`shutdown failed: ${(err as Error).stack ?? err}`)
        process.exit(1)
      },
    )
    setTimeout(() => process.exit(1), grace + 15_000).unref()
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

start().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
})
