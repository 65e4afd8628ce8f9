// GET /v1/responses/{id}, DELETE /v1/responses/{id} and GET /v1/responses/{id}/input_items: stored
// responses, each visible only to the user (or user-less key) that created it. Mounted beside
// /v1/models, behind the same client auth. Parameters are read through schemas.ts's schemas.
import { Hono } from 'hono'
import type { ResponseOwner, ResponsesStore } from '../../../core/responses-store.js'
import type { AppEnv } from '../../app-env.js'
import { ApiError } from '../../errors.js'
import { openaiQuery } from '../../query.js'
import { getQuery, inputItemsQuery, responseParams } from './schemas.js'

const notFound = (id: string) => ApiError.notFound(`Response with id '${id}' not found.`)

export function responseRoutes(store: ResponsesStore) {
  const app = new Hono<AppEnv>()
  const ownerOf = (client: AppEnv['Variables']['client']): ResponseOwner => ({ keyId: client.keyId, userId: client.userId })

  app.get('/responses/:id', async (c) => {
    const { id } = openaiQuery(responseParams, c.req.param())
    if (openaiQuery(getQuery, c.req.query()).stream === 'true') {
      throw ApiError.badRequest('stream: replaying a stored response as events is not supported', 'stream', 'not_supported')
    }
    const row = await store.get(id, ownerOf(c.get('client')))
    if (!row) throw notFound(id)
    return c.json(row.response)
  })

  app.delete('/responses/:id', async (c) => {
    const { id } = openaiQuery(responseParams, c.req.param())
    if (!(await store.delete(id, ownerOf(c.get('client'))))) throw notFound(id)
    return c.json({ id, object: 'response', deleted: true })
  })

  app.get('/responses/:id/input_items', async (c) => {
    const { id } = openaiQuery(responseParams, c.req.param())
    const row = await store.get(id, ownerOf(c.get('client')))
    if (!row) throw notFound(id)
    const { order, limit, after } = openaiQuery(inputItemsQuery, c.req.query())
    let items = row.inputItems as Record<string, unknown>[]
    if (order === 'desc') items = [...items].reverse()
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
