// Who opened a socket: a client key in Authorization (or ?key= / ?token=, since browsers cannot set
// headers on a WebSocket), the user billed in ?user_uuid, and ?client_id naming the client's
// connection (generated when missing). Shared by every socket route.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Caller } from '../../core/chat/caller.js'
import type { ClientKeys } from '../../core/client-keys.js'
import { actingCaller } from '../acting-user.js'
import { ApiError } from '../errors.js'
import { identify } from '../middleware/client-auth.js'
import { SocketRefusal } from './hub.js'

export interface SocketCaller {
  caller: Caller
  /** The user the socket acts for when it is not the key's own (keys that may act for others). */
  onBehalfOf: string | undefined
  clientId: string
  /** The connection-limit owner: the user, else the key, else the address. */
  owner: string
}

export async function socketCaller(keys: ClientKeys, allowAnonymous: boolean, req: IncomingMessage, url: URL): Promise<SocketCaller> {
  const header = req.headers.authorization
  const queryKey = url.searchParams.get('key') ?? url.searchParams.get('token')
  let caller: Caller
  try {
    caller = await identify(keys, allowAnonymous, {
      authorization: header ?? (queryKey ? `Bearer ${queryKey}` : undefined),
      apiKey: req.headers['x-api-key'] as string | undefined,
      remoteAddress: req.socket.remoteAddress,
    })
  } catch (err) {
    throw new SocketRefusal(err instanceof ApiError ? err.status : 401, (err as Error).message)
  }
  const userUuid = url.searchParams.get('user_uuid')?.trim() || undefined
  let onBehalfOf: string | undefined
  try {
    ;({ caller, onBehalfOf } = actingCaller(caller, userUuid, allowAnonymous))
  } catch (err) {
    throw new SocketRefusal(403, (err as Error).message)
  }
  const user = onBehalfOf ?? caller.userId
  const owner = user ? `user:${user}` : caller.keyId !== null ? `key:${caller.keyId}` : `addr:${req.socket.remoteAddress ?? '?'}`
  return { caller, onBehalfOf, clientId: url.searchParams.get('client_id')?.trim() || randomUUID(), owner }
}
