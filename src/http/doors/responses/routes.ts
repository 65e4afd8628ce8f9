// GET /v1/responses/{id}, DELETE /v1/responses/{id} and GET /v1/responses/{id}/input_items: stored
// responses, each visible only to the user (or user-less key) that created it. Mounted beside
// /v1/models, behind the same client auth.
import { Hono } from 'hono'
import type { ResponseOwner, ResponsesStore } from '../../../core/responses-store.js'
import type { AppEnv } from '../../app-env.js'
import { ApiError } from '../../errors.js'

const notFound = (id: string) => ApiError.notFound(`Response with id '${id}' not found.`)

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return 20
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 100) throw ApiError.badRequest('limit: expected an integer from 1 to 100', 'limit', 'invalid_value')
  return n
}

export function responseRoutes(store: ResponsesStore) {
  const app = new Hono<AppEnv>()
  const ownerOf = (client: AppEnv['Variables']['client']): ResponseOwner => ({ keyId: client.keyId, userId: client.userId })

  app.get('/responses/:id', (c) => {
    if (c.req.query('stream') === 'true') throw ApiError.badRequest('stream: replaying a stored response as events is not supported', 'stream', 'not_supported')
    const row = store.get(c.req.param('id'), ownerOf(c.get('client')))
    if (!row) throw notFound(c.req.param('id'))
    return c.json(row.response)
  })

  app.delete('/responses/:id', (c) => {
    const id = c.req.param('id')
    if (!store.delete(id, ownerOf(c.get('client')))) throw notFound(id)
    return c.json({ id, object: 'response', deleted: true })
  })

  app.get('/responses/:id/input_items', (c) => {
    const row = store.get(c.req.param('id'), ownerOf(c.get('client')))
    if (!row) throw notFound(c.req.param('id'))
    const order = c.req.query('order') ?? 'desc'
    if (order !== 'asc' && order !== 'desc') throw ApiError.badRequest('order: expected asc or desc', 'order', 'invalid_value')
    const limit = limitOf(c.req.query('limit'))
    let items = row.inputItems as Record<string, unknown>[]
    if (order === 'desc') items = [...items].reverse()
    const after = c.req.query('after')
    if (after) {
      const at = items.findIndex((item) => item.id === after)
      if (at < 0) throw ApiError.badRequest(`after: no input item ${JSON.stringify(after)} in this response`, 'after', 'invalid_value')
      items = items.slice(at + 1)
    }
    const data = items.slice(0, limit)
    return c.json({ object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: items.length > limit })
  })
  return app
}
