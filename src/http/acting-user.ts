// Whom a request acts for when it names a user (?user_uuid on the sockets, ?user_id on
// /communicate): the key's own user; another user for keys that may act for others; and, with
// anonymous access on, the named user for a caller without a key (the seeds' browsers name their
// user and nothing else).
import type { Caller } from '../core/chat/caller.js'
import { ChatFailure } from '../core/chat/failure.js'

export function actingCaller(caller: Caller, named: string | undefined, allowAnonymous: boolean): { caller: Caller; onBehalfOf: string | undefined } {
  if (!named || named === caller.userId) return { caller, onBehalfOf: undefined }
  if (caller.keyId === null && allowAnonymous) return { caller: { ...caller, userId: named }, onBehalfOf: undefined }
  if (caller.actForOthers) return { caller, onBehalfOf: named }
  throw new ChatFailure('permission', 'this API key may not act for another user', { code: 'permission_denied' })
}
