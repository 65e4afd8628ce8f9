// The credential is the `userToken` from chat.deepseek.com's localStorage (maybe with the site's
// cookies, see identity.ts). /users/current turns it into the session token the chat calls use;
// that token is cached in the credential state.
import { createHash } from 'node:crypto'
import { protocolError } from '../../src/kit/errors.js'
import { mask } from '../../src/kit/log.js'
import { SingleFlight, acrossInstances } from '../../src/kit/single-flight.js'
import type { CallContext } from '../../src/kit/types.js'
import { PATHS, PROVIDER_ID, SESSION_TOKEN_TTL_MS } from './constants.js'
import { type DeepseekSettings, callJson } from './client.js'
import { splitSecret } from './identity.js'

type Ctx = CallContext<DeepseekSettings>

export interface CurrentUser {
  token: string
  account: string | undefined
}

/** GET /users/current with the user token; the session token moved from data.token to data.biz_data.token in 2025. */
export async function fetchCurrentUser(ctx: Ctx): Promise<CurrentUser> {
  const envelope = await callJson(ctx, PATHS.currentUser, splitSecret(ctx.credential.secret).token)
  const user = (envelope.data?.biz_data ?? {}) as Record<string, unknown>
  const token = user.token ?? (envelope.data as Record<string, unknown> | null | undefined)?.token
  if (typeof token !== 'string' || !token)
    throw protocolError(`${PROVIDER_ID}: /users/current carried no token`, { provider: PROVIDER_ID })
  const account = [user.email, user.mobile_number, user.id].find((v) => typeof v === 'string' && v) as string | undefined
  return { token, account }
}

const refreshes = new SingleFlight<string>()

function credentialKey(ctx: Ctx): string {
  if (ctx.credential.id !== null) return `id:${ctx.credential.id}`
  return `secret:${createHash('sha256').update(ctx.credential.secret).digest('hex')}`
}

/** The stored session token while it is fresh, unless it is the one the upstream just refused. */
function storedToken(ctx: Ctx, rejected: string | undefined): string | undefined {
  const { token, tokenExpiresAt } = ctx.credential.state as { token?: string; tokenExpiresAt?: number }
  return token && token !== rejected && typeof tokenExpiresAt === 'number' && tokenExpiresAt > Date.now() ? token : undefined
}

/**
 * The cached session token, refreshed once per credential at a time (across instances too) when
 * missing or stale. `rejected` is a token the upstream just refused: it is replaced, by the token
 * another caller already stored in its place or else by a refresh.
 */
export async function sessionToken(ctx: Ctx, rejected?: string): Promise<string> {
  const cached = storedToken(ctx, rejected)
  if (cached) return cached
  return refreshes.run(credentialKey(ctx), () =>
    // The lock re-reads the stored state: another instance may have refreshed meanwhile.
    acrossInstances(ctx, async () => storedToken(ctx, rejected) ?? refresh(ctx)),
  )
}

async function refresh(ctx: Ctx): Promise<string> {
  const user = await fetchCurrentUser(ctx)
  ctx.saveState({ token: user.token, tokenExpiresAt: Date.now() + SESSION_TOKEN_TTL_MS, account: user.account })
  ctx.log.debug(`${PROVIDER_ID} session token refreshed`, { token: mask(user.token) })
  return user.token
}

/** Run an authorised call; a token rejected mid-life gets one replacement and one retry. */
export async function withSessionToken<T>(ctx: Ctx, call: (token: string) => Promise<T>): Promise<T> {
  const token = await sessionToken(ctx)
  try {
    return await call(token)
  } catch (err) {
    if (!isTokenRejection(err)) throw err
    return call(await sessionToken(ctx, token))
  }
}

function isTokenRejection(err: unknown): boolean {
  return err instanceof Error && (err as { kind?: string }).kind === 'credential_invalid'
}
