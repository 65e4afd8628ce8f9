// GET /v1/models and /v1/models/{id} in OpenAI's list shape. The list holds what something can
// serve; `?all=true` lists every routable name, whether or not anything could serve it now.
import { Hono } from 'hono'
import { z } from 'zod'
import type { ProviderInstance } from '../core/provider-registry.js'
import type { Credential } from '../db/credentials.repo.js'
import type { ModelSpec } from '../kit/types.js'
import type { Services } from '../services.js'
import type { AppEnv } from './app-env.js'
import { ApiError, openaiErrors } from './errors.js'
import type { RouteDoc } from './route-doc.js'
import { openaiQuery } from './query.js'

const modelSchema = z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string(), kind: z.enum(['embedding', 'image', 'video', 'music', 'transcription']).optional().meta({ description: 'What the model makes, when not chat' }) })
const listQuery = z.object({
  all: z.string().optional().meta({ description: '`true` or `1`: every routable model, whether or not anything can serve it now' }),
})
const modelParams = z.object({ id: z.string().min(1).meta({ description: 'The model id; may contain slashes' }) })

export const modelDocs = (): RouteDoc[] => [
  {
    method: 'get',
    path: '/v1/models',
    prefixed: true,
    summary: 'The models something can serve (those the key may use)',
    tag: 'openai',
    auth: 'client',
    query: listQuery,
    response: z.object({ object: z.literal('list'), data: z.array(modelSchema) }),
    errors: openaiErrors(401),
  },
  {
    method: 'get',
    path: '/v1/models/{id}',
    prefixed: true,
    summary: 'One model',
    tag: 'openai',
    auth: 'client',
    params: modelParams,
    query: listQuery,
    response: modelSchema,
    errors: openaiErrors(401, 404),
  },
]

const usable = (c: Credential) => c.status !== 'disabled' && c.status !== 'invalid'

export function modelRoutes(s: Services) {
  const app = new Hono<AppEnv>()
  const created = Math.floor(s.startedAt / 1000)

  /**
   * A model is servable when its provider needs no stored credential (an anonymous adapter, a
   * pass-through provider whose callers bring tokens, an instance the operator configured from a
   * template such as openai-compatible) or has a usable one. Credit-aware providers also need a
   * credential that can afford the model.
   */
  const servable = (instance: ProviderInstance, spec: ModelSpec) => {
    if (instance.adapter.anonymous || instance.settings.passthrough_tokens || instance.definition.enabledByDefault === false) return true
    return s.pool.entries(instance.name).some((c) => usable(c) && (instance.adapter.canServe?.(spec, c) ?? true))
  }
  const list = (allowed: string[] | null, all: boolean) =>
    s.router
      .listModels(all ? undefined : servable)
      .filter((m) => !allowed || allowed.includes(m.id))
      .map((m): z.infer<typeof modelSchema> => ({ id: m.id, object: 'model', created, owned_by: m.ownedBy, ...(m.kind === 'chat' ? {} : { kind: m.kind }) }))
  const wantsAll = (query: Record<string, string>) => {
    const { all } = openaiQuery(listQuery, query)
    return all === 'true' || all === '1'
  }

  app.get('/models', (c) => c.json({ object: 'list', data: list(c.get('client').allowedModels, wantsAll(c.req.query())) }))
  app.get('/models/:id{.+}', (c) => {
    const { id } = openaiQuery(modelParams, c.req.param())
    const allowed = c.get('client').allowedModels
    const found = list(allowed, wantsAll(c.req.query())).find((m) => m.id === id)
    if (found) return c.json(found)
    const known = list(allowed, true).some((m) => m.id === id)
    throw ApiError.notFound(
      known
        ? `The model \`${id}\` has no provider with a usable credential; add one (PUT /api/credential) or see it with ?all=true`
        : `The model \`${id}\` does not exist`,
      'model_not_found',
    )
  })
  return app
}
