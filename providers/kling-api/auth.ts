// Kling's API token: a JWT (HS256) with iss = access key, exp = now + 30 min, nbf = now - 5 s,
// signed with the secret key and sent as a Bearer token. jose loads on the first signature: a
// relay without Kling credentials never holds it.
import type { KeyPair } from '../../src/kit/key-pair.js'
import { NOT_BEFORE_SKEW_S, TOKEN_TTL_S } from './constants.js'

/** `nowS` in Unix seconds (tests pass a fixed one to check the spec's vector). */
export async function signToken({ accessKey, secretKey }: KeyPair, nowS = Math.floor(Date.now() / 1000)): Promise<string> {
  const { SignJWT } = await import('jose')
  // Claims in the order the vector has them: iss, exp, nbf.
  return new SignJWT({ iss: accessKey, exp: nowS + TOKEN_TTL_S, nbf: nowS - NOT_BEFORE_SKEW_S })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secretKey))
}
