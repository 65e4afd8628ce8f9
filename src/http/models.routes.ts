// GET /v1/models and /v1/models/{id} in OpenAI's list shape.
import { Hono } from 'hono'
import type { ProviderInstance } from '../core/provider-registry.js'
import type { ModelSpec } from '../kit/types.js'
import type { Services } from '../services.js'
import type { AppEnv } from './app-env.js'
import { ApiError } from './errors.js'

export function modelRoutes(s: Services) {
  const app = new Hono<AppEnv>()
  const created = Math.floor(s.startedAt / 1000)

  /** Credit-aware providers show a model only when some credential can afford it. */
  const visible = (instance: ProviderInstance, spec: ModelSpec) => {
    const canServe = instance.adapter.canServe
    if (!canServe) return true
    return s.pool.entries(instance.name).some((c) => c.status !== 'disabled' && c.status !== 'invalid' && canServe(spec, c))
  }
  const list = (allowed: string[] | null) =>
    s.router
      .listModels(visible)
      .filter((m) => !allowed || allowed.includes(m.id))
      .map((m) => ({ id: m.id, object: 'model', created, owned_by: m.ownedBy }))

  app.get('/models', (c) => c.json({ object: 'list', data: list(c.get('client').allowedModels) }))
  app.get('/models/:id{.+}', (c) => {
    const id = c.req.param('id')
    const found = list(c.get('client').allowedModels).find((m) => m.id === id)
    if (!found) throw ApiError.notFound(`The model \`${id}\` does not exist`, 'model_not_found')
    return c.json(found)
  })
  return app
}
