// The seed's media routes in the OpenAPI document, one entry per line of the route table: the
// fields every route shares (user_uuid, chat_id, zidingyican) plus the route's own, loose because
// the seed's clients send more than the route reads; the answer is the seed's envelope.
import { z } from 'zod'
import { seedEnvelope, seedErrors } from '../../envelope.js'
import type { RouteDoc } from '../../route-doc.js'
import type { SeedMediaRoute } from './routes.js'

const id = z.union([z.string(), z.number()])

export const seedCommonFields = z.object({
  user_uuid: id.meta({ description: 'The user billed (the caller, or anyone for a key allowed to act for others or the admin secret)' }),
  chat_id: id.optional().meta({ description: 'Kept on the record' }),
  zidingyican: z
    .union([z.array(z.object({ name: z.string(), value: z.unknown() })), z.object({ name: z.string(), value: z.unknown() })])
    .optional()
    .meta({ description: 'Extra parameters passed to the vendor as they are' }),
})

/** The statuses seedError answers with (the guard's 401, 403 and 413 and 500 are added). */
export const SEED_ROUTE_ERRORS = seedErrors(400, 402, 404, 408, 429)

export const seedRouteDoc = (route: Pick<SeedMediaRoute, 'path' | 'summary' | 'fields' | 'data'>): RouteDoc => ({
  method: 'post',
  path: route.path,
  summary: route.summary,
  tag: 'sessions',
  auth: 'client',
  body: z.looseObject({ ...seedCommonFields.shape, ...route.fields.shape }),
  response: seedEnvelope(route.data),
  errors: SEED_ROUTE_ERRORS,
})
