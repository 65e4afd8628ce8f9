// A call guarded by proof of work: fetch a challenge for the call's own path, solve it off the event
// loop, send the answer header; a proof the server rejects gets one fresh challenge and one retry.
import { upstreamUnavailable } from '../../src/kit/errors.js'
import type { CallContext } from '../../src/kit/types.js'
import { type DeepseekError, type DeepseekSettings, createPowChallenge, powHeaderValue } from './client.js'
import { PROVIDER_ID } from './constants.js'
import { powPrefix } from './hash.js'
import type { PowPool } from './pow-pool.js'

type Ctx = CallContext<DeepseekSettings>

export async function withPow<T>(
  ctx: Ctx,
  pool: PowPool,
  token: string,
  path: string,
  sessionId: string | undefined,
  send: (powHeader: string) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const challenge = await createPowChallenge(ctx, token, path, sessionId)
    const prefix = powPrefix(challenge.salt, challenge.expire_at)
    const answer = await pool.solve({ challenge: challenge.challenge, prefix, difficulty: challenge.difficulty }, ctx.signal)
    if (answer === null) throw upstreamUnavailable(`${PROVIDER_ID}: PoW challenge has no answer in range`, { provider: PROVIDER_ID })
    try {
      return await send(powHeaderValue(challenge, answer))
    } catch (err) {
      if (attempt > 0 || !(err as DeepseekError).powRejected) throw err
      ctx.log.debug(`${PROVIDER_ID}: proof of work rejected, retrying with a new challenge`)
    }
  }
}
