// Credentials made of two keys (Volcengine's AK/SK, Kling's access key/secret key) are stored as
// one secret "<access_key>:<secret_key>". Neither key contains a colon, so the first one splits.
import { credentialInvalid } from './errors.js'

export interface KeyPair {
  accessKey: string
  secretKey: string
}

function split(secret: string): KeyPair | undefined {
  const at = secret.indexOf(':')
  if (at <= 0 || at === secret.length - 1) return undefined
  return { accessKey: secret.slice(0, at).trim(), secretKey: secret.slice(at + 1).trim() }
}

/** The stored secret → its two keys; a malformed one can never work, so the credential is invalid. */
export function keyPairOf(secret: string, provider: string): KeyPair {
  const pair = split(secret)
  if (!pair) throw credentialInvalid(`${provider}: the credential must be "<access_key>:<secret_key>"`, { provider })
  return pair
}

/**
 * What an operator pastes → the stored form (spaces around the colon dropped). Something that is
 * not a pair is kept as it is: the first call marks it invalid with a message that says why.
 */
export function normalizeKeyPair(raw: string): string {
  const pair = split(raw.trim())
  return pair ? `${pair.accessKey}:${pair.secretKey}` : raw.trim()
}
