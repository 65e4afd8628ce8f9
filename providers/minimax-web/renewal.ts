// MiniMax JWT renewal (updates-2026 §6.2): `POST /v1/api/user/renewal {}` → `{data:{token}}`, a
// new HS256 JWT good for about 40 more days. Renewed when the token nears its `exp`, saved in the
// credential's state before use, so the pasted secret (which keeps the original) is only a fallback
// after a restart. Renewal does not spend the old token, so the newest known one is simply the
// one with the latest `exp`.
import { UpstreamError, protocolError } from '../../src/kit/errors.js'
import { decodeJwtPayload } from '../../src/kit/pasted-secret.js'
import { SingleFlight, acrossInstances } from '../../src/kit/single-flight.js'
import { type MinimaxContext, type MinimaxCredential, digest, parseCredential } from './auth.js'
import { agentCall } from './client.js'
import { AGENT_PATHS, PROVIDER_ID } from './constants.js'

/** Credential state keys: the renewed token and the secret it was renewed from. */
export const STATE = { origin: 'token_of', token: 'token' } as const

/** `exp` of a JWT in epoch ms, or undefined for a token without one. */
export function expiryOf(jwt: string): number | undefined {
  const exp = decodeJwtPayload(jwt)?.exp
  return typeof exp === 'number' ? exp * 1000 : undefined
}

export class TokenRenewer {
  private readonly latest = new Map<string, string>()
  private readonly flights = new SingleFlight<string>()
  renewals = 0

  /** The newest token known for this credential: memory, persisted state or the pasted secret. */
  private newest(ctx: MinimaxContext, pasted: string): string {
    const origin = digest(ctx.credential.secret)
    const s = ctx.credential.state
    const saved = s[STATE.origin] === origin && typeof s[STATE.token] === 'string' ? (s[STATE.token] as string) : undefined
    const known = [this.latest.get(origin), saved, pasted].filter((t): t is string => t !== undefined)
    return known.reduce((best, t) => ((expiryOf(t) ?? 0) > (expiryOf(best) ?? 0) ? t : best))
  }

  /** The credential with its newest token, renewed first when it expires within `renew_before_s`. */
  async credential(ctx: MinimaxContext): Promise<MinimaxCredential> {
    const cred = parseCredential(ctx.credential.secret)
    const due = (jwt: string) => {
      const exp = expiryOf(jwt)
      return exp !== undefined && exp - Date.now() <= ctx.settings.renew_before_s * 1000 ? exp : undefined
    }
    const jwt = this.newest(ctx, cred.jwt)
    if (due(jwt) === undefined) return { ...cred, jwt }
    const origin = digest(ctx.credential.secret)
    const renewed = await this.flights.run(origin, () =>
      // The lock re-reads the stored state: another instance may have renewed the token meanwhile.
      acrossInstances(ctx, async () => {
        const latest = this.newest(ctx, cred.jwt)
        const exp = due(latest)
        return exp === undefined ? latest : this.renew(ctx, { ...cred, jwt: latest }, origin, exp)
      }),
    )
    return { ...cred, jwt: renewed }
  }

  private async renew(ctx: MinimaxContext, cred: MinimaxCredential, origin: string, exp: number): Promise<string> {
    this.renewals++
    try {
      // Not the client's signal: requests that joined this renewal must not fail because the first one left.
      const env = await agentCall({ ...ctx, signal: AbortSignal.timeout(ctx.settings.timeout_ms) }, cred, AGENT_PATHS.renewal, {})
      const token = env.data?.token
      if (typeof token !== 'string' || !token) throw protocolError(`${PROVIDER_ID}: renewal answered without data.token`, { provider: PROVIDER_ID })
      ctx.saveState({ [STATE.origin]: origin, [STATE.token]: token })
      this.latest.set(origin, token)
      return token
    } catch (err) {
      // Renewal runs early: while the token itself still works, a failed attempt costs nothing.
      const refused = err instanceof UpstreamError && err.kind === 'credential_invalid'
      if (refused || exp <= Date.now()) throw err
      ctx.log.info('MiniMax token renewal failed; using the current token until it expires', { error: (err as Error).message })
      return cred.jwt
    }
  }
}
