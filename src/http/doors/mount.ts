// The doors on the hono app, for app.fetch callers (tests, other runtimes). Under Node the fast
// lane answers these paths first; both go through the same preparation and door handler.
import type { ServerResponse } from 'node:http'
import type { Hono } from 'hono'
import type { AppEnv } from '../app-env.js'
import { clientSignal } from '../exchange.js'
import type { DoorServing } from '../fast-lane.js'
import { prepareHono } from '../prepare.js'
import { sseResponse } from '../sse-response.js'
import { closedLine } from './door.js'

export function mountDoors(app: Hono<AppEnv>, serving: DoorServing): void {
  for (const door of serving.doors) {
    app.post((door.prefixed ? serving.routePrefix : '') + door.path, async (c) => {
      const limits: Record<string, string> = {}
      let release: (() => void) | undefined
      try {
        const prepared = await prepareHono(serving.prepare, c, door, limits)
        release = prepared.release
        const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
        if (release && outgoing) {
          outgoing.once('close', release)
          release = undefined
        }
        for (const name in limits) c.header(name, limits[name])
        const reply = await door.handle(prepared, clientSignal(c, serving.inflight))
        if (reply.kind === 'closed') {
          serving.log.info(closedLine(door.path, c.get('requestId')), { requestId: c.get('requestId') })
          return c.body(null, 499 as 200)
        }
        if (reply.kind === 'json') return c.json(reply.body, reply.status as 200, reply.headers)
        if (reply.kind === 'text') return c.body(reply.body, reply.status as 200, { 'Content-Type': reply.type })
        return sseResponse(c, reply.options)
      } catch (err) {
        const e = door.error(err)
        return c.json(e.body as object, e.status as 400, { ...limits, ...e.headers })
      } finally {
        // Without Node's response (app.fetch) the slot is given back when the handler returns.
        release?.()
      }
    })
  }
}
