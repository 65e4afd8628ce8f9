// The access token a Connect call uses, and the rotating refresh chain behind it (updates-2026
// §1.4). The newest pair lives in three places, newest first: this process's memory (shared by
// concurrent requests whose credential views were taken before a refresh), the credential's
// persisted state (survives a restart), and the stored secret (the original paste). Refreshes run
// one at a time per chain, and the new refresh token is saved before the new access token is used:
// the old one is dead the moment the upstream answers.
import { UpstreamError, credentialInvalid } from '../../src/kit/errors.js'
import { SingleFlight, acrossInstances } from '../../src/kit/single-flight.js'
import type { CallContext } from '../../src/kit/types.js'
import { ACCESS_TTL_FALLBACK_MS, PROVIDER_ID, REFRESH_MARGIN_MS } from './constants.js'
import { type KimiClaims, assertNotExpired, claimsOf, fingerprint, parseKimiSecret, tokenKind } from './credential.js'
import { type KimiAuthSettings, refreshTokens } from './refresh.js'

/** What a Connect call authenticates with. */
export interface KimiAccess {
  token: string
  /** Old `kimi-auth` JWTs also go as the cookie. */
  cookie: boolean
  /** Device identity for the x-msh-* headers (the refresh token's claims when there is one). */
  identity: KimiClaims | undefined
  /** A rejected token can be renewed (a refresh token is known). */
  refreshable: boolean
}

interface Chain {
  refresh?: string
  access?: string
  /** When `access` stops working, epoch ms. */
  accessExpiresAt: number
}

/** Credential state keys: the chain and the secret it grew from (a new secret starts a new chain). */
export const STATE = {
  origin: 'chain_of',
  refresh: 'refresh_token',
  access: 'access_token',
  accessExpiresAt: 'access_expires_at',
} as const

export function expiryOf(access: string | undefined, now = Date.now()): number {
  const exp = claimsOf(access)?.exp
  return typeof exp === 'number' ? exp * 1000 : access ? now + ACCESS_TTL_FALLBACK_MS : 0
}

type Ctx = CallContext<KimiAuthSettings>

export class KimiSessions {
  private readonly chains = new Map<string, Chain>()
  private readonly flights = new SingleFlight<Chain>()
  /** Refresh calls made (for tests and logs). */
  refreshes = 0

  /**
   * The newest chain known for this credential's secret: of this process's memory and the state,
   * the one whose access token lives longest (each refresh extends it). Memory wins over a view
   * taken before a refresh here; the state wins once re-read after another instance refreshed,
   * and always when `storedFirst` (under the shared lock the state was just re-read: it is the
   * newest, even against a chain of the same second that another instance has spent since).
   */
  private current(ctx: Ctx, storedFirst = false): Chain {
    const origin = fingerprint(ctx.credential.secret)
    const remembered = this.chains.get(origin)
    const s = ctx.credential.state
    const stored: Chain | undefined =
      s[STATE.origin] === origin && typeof s[STATE.refresh] === 'string'
        ? {
            refresh: s[STATE.refresh] as string,
            ...(typeof s[STATE.access] === 'string' ? { access: s[STATE.access] as string } : {}),
            accessExpiresAt: Number(s[STATE.accessExpiresAt]) || 0,
          }
        : undefined
    const newest = remembered && stored && (storedFirst || stored.accessExpiresAt > remembered.accessExpiresAt) ? stored : (remembered ?? stored)
    if (newest) return newest
    const pasted = parseKimiSecret(ctx.credential.secret)
    return { ...pasted, accessExpiresAt: expiryOf(pasted.access) }
  }

  /**
   * A usable access token: the current one while it is more than the margin from `exp`, else a
   * refreshed one. `rejected` is a token the upstream just refused: it is not handed out again
   * (unless a concurrent refresh already replaced it, in which case its successor is).
   */
  async access(ctx: Ctx, rejected?: string): Promise<KimiAccess> {
    const chain = this.current(ctx)
    if (usable(chain, rejected)) return toAccess(chain)
    if (!chain.refresh) {
      if (!chain.access) throw credentialInvalid(`${PROVIDER_ID}: no Kimi token found in the credential`, { provider: PROVIDER_ID })
      if (chain.access === rejected) throw accessOnlyRejected(chain.access)
      assertNotExpired(claimsOf(chain.access))
      return toAccess(chain)
    }
    const origin = fingerprint(ctx.credential.secret)
    // One refresh per chain, across instances too: the refresh token is spent by the first use, so
    // a second instance refreshing with it would kill the chain. The lock re-reads the stored state.
    const renewed = await this.flights.run(origin, () =>
      acrossInstances(ctx, async () => {
        const latest = this.current(ctx, ctx.exclusive !== undefined)
        return usable(latest, rejected) ? latest : this.refresh(ctx, origin, latest)
      }),
    )
    return toAccess(renewed)
  }

  /** Run `call`; when the upstream rejects the token, renew once and run it again. */
  async withAccess<T>(ctx: Ctx, call: (access: KimiAccess) => Promise<T>): Promise<T> {
    const first = await this.access(ctx)
    try {
      return await call(first)
    } catch (err) {
      if (!(err instanceof UpstreamError) || err.kind !== 'credential_invalid') throw err
      if (!first.refreshable) throw tokenKind(first.token) === 'access' ? accessOnlyRejected(first.token, err) : err
      ctx.log.debug('Kimi access token rejected; refreshing once', { status: err.upstreamStatus })
      return call(await this.access(ctx, first.token))
    }
  }

  private async refresh(ctx: Ctx, origin: string, chain: Chain): Promise<Chain> {
    this.refreshes++
    const tokens = await refreshTokens(ctx, chain.refresh!, AbortSignal.timeout(ctx.settings.timeout_ms))
    const next: Chain = { refresh: tokens.refresh ?? chain.refresh!, access: tokens.access, accessExpiresAt: expiryOf(tokens.access) }
    // Persist first: if this throws, the new access token is never used.
    ctx.saveState({
      [STATE.origin]: origin,
      [STATE.refresh]: next.refresh,
      [STATE.access]: next.access,
      [STATE.accessExpiresAt]: next.accessExpiresAt,
    })
    this.chains.set(origin, next)
    return next
  }
}

/** Not the refused token, and more than the margin from its `exp`. */
function usable(chain: Chain, rejected: string | undefined): boolean {
  return chain.access !== undefined && chain.access !== rejected && chain.accessExpiresAt - Date.now() > REFRESH_MARGIN_MS
}

function toAccess(chain: Chain): KimiAccess {
  const token = chain.access!
  const kind = tokenKind(token)
  return {
    token,
    cookie: kind === 'kimi-auth',
    identity: claimsOf(chain.refresh) ?? claimsOf(token),
    refreshable: chain.refresh !== undefined,
  }
}

function accessOnlyRejected(token: string, cause?: UpstreamError): UpstreamError {
  const exp = claimsOf(token)?.exp
  const when = exp ? ` (it expired or expires at ${new Date(exp * 1000).toISOString()})` : ''
  return credentialInvalid(
    `${PROVIDER_ID}: the access token was refused${when}; access tokens last about 15 minutes — paste the refresh_token from www.kimi.com's localStorage instead`,
    { provider: PROVIDER_ID, ...(cause?.upstreamStatus ? { upstreamStatus: cause.upstreamStatus } : {}) },
  )
}
