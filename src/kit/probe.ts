// The probe contract the core relies on: only the upstream's definite rejection of a credential
// may mark it invalid. A probe that could not reach a verdict (network, timeout, 5xx, challenge
// page, unreadable answer) throws a typed error, and the core leaves the credential as it was.
import { UpstreamError, isAbortError, protocolError } from './errors.js'
import type { CredentialHealth } from './types.js'

/**
 * Run a probe's upstream calls: a `credential_invalid` failure resolves `{ok: false, reason}`,
 * typed failures of every other kind (out of credit, unavailable, timeout, protocol) propagate, and
 * anything untyped (an answer our code could not read) becomes a protocol error.
 */
export async function runProbe(provider: string, check: () => Promise<CredentialHealth>): Promise<CredentialHealth> {
  try {
    return await check()
  } catch (err) {
    if (err instanceof UpstreamError) {
      if (err.kind === 'credential_invalid') return { ok: false, reason: err.message }
      throw err
    }
    if (isAbortError(err)) throw err
    throw protocolError(`${provider}: the probe could not read the answer: ${(err as Error)?.message ?? String(err)}`, { provider, cause: err })
  }
}
