// Adding, editing, probing and seeding credentials: shared by the admin API, config.yaml and the
// healer. Every write goes through the pool's store. A probe decides only what the upstream said:
// a definite rejection marks a credential invalid, "out of credit" cools it, and a probe that could
// not run (network, DNS, Cloudflare, 5xx, timeout) changes nothing.
import type { Credential, CredentialPatch } from '../db/credentials.repo.js'
import { UpstreamError } from '../kit/errors.js'
import { mask } from '../kit/log.js'
import type { CredentialHealth } from '../kit/types.js'
import type { Services } from '../services.js'
import { callContext } from './call-context.js'
import type { ProviderInstance } from './provider-registry.js'

export class CredentialError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 | 422 | 502,
  ) {
    super(message)
    this.name = 'CredentialError'
  }
}

export function instanceOf(s: Services, provider: string): ProviderInstance {
  const instance = s.instances.get(provider)
  if (!instance) throw new CredentialError(`unknown or disabled provider: ${provider}`, 400)
  return instance
}

export function normalizeSecret(instance: ProviderInstance, raw: string): string {
  const trimmed = raw.trim()
  const secret = instance.adapter.normalizeSecret ? instance.adapter.normalizeSecret(trimmed) : trimmed
  if (!secret) throw new CredentialError('the credential is empty', 400)
  return secret
}

/** What a probe found. At most one of health and quota; error alone means it could not run. */
export interface ProbeOutcome {
  /** The upstream's verdict: it accepted the credential (ok) or definitely rejected it. */
  health?: CredentialHealth
  /** The upstream accepted the credential but it is out of credit. */
  quota?: UpstreamError
  /** Why there is no verdict (or the quota message): the probe says nothing about the credential. */
  error?: string
}

/**
 * Ask the provider whether a credential works. The adapter resolves its verdict or throws a typed
 * error; only credential_invalid (a rejection) and quota_exhausted (valid, no credit) are verdicts.
 */
export async function probeSecret(s: Services, instance: ProviderInstance, id: number | null, secret: string): Promise<ProbeOutcome> {
  if (!instance.adapter.probe) return {}
  const lease = (id === null ? undefined : s.pool.leaseForProbe(instance.name, id)) ?? s.pool.passthroughLease(instance.name, secret)
  const ctx = callContext(instance, lease, AbortSignal.timeout(instance.settings.timeout_ms), s.log)
  try {
    return { health: await instance.adapter.probe(ctx) }
  } catch (err) {
    if (err instanceof UpstreamError && err.kind === 'credential_invalid') return { health: { ok: false, reason: err.message } }
    if (err instanceof UpstreamError && err.kind === 'quota_exhausted') return { quota: err, error: err.message }
    return { error: (err as Error)?.message ?? String(err) }
  }
}

function applyProbe(s: Services, c: Credential, probe: ProbeOutcome): void {
  if (probe.health) s.pool.applyHealth(c.id, probe.health)
  else if (probe.quota) s.pool.applyQuota(c.id, probe.quota)
  else if (probe.error) s.log.info(`could not verify credential ${c.id} of ${c.provider}; left as it was: ${probe.error}`)
}

export interface AddOptions {
  remark?: string
  source?: 'admin' | 'config'
  /** Probe before storing and refuse a credential the upstream rejects (admin API). */
  verify?: boolean
}

export interface Added {
  credential: Credential
  /** Why the probe could not run; the credential is stored unverified. */
  unverified?: string
}

export async function addCredential(s: Services, provider: string, raw: string, opts: AddOptions = {}): Promise<Added> {
  const instance = instanceOf(s, provider)
  const secret = normalizeSecret(instance, raw)
  const refuseDuplicate = async () => {
    if (await s.pool.store.isDuplicate(instance.name, secret)) throw new CredentialError(`this credential already exists for ${provider}`, 409)
  }
  await refuseDuplicate()
  const probe = opts.verify ? await probeSecret(s, instance, null, secret) : {}
  if (probe.health && !probe.health.ok)
    throw new CredentialError(`${provider} rejected the credential: ${probe.health.reason ?? 'unknown reason'}`, 422)
  await refuseDuplicate() // the same secret may have been added while the probe ran
  const credential = await s.pool.store.insert({ provider: instance.name, secret, remark: opts.remark ?? '', source: opts.source ?? 'admin' })
  applyProbe(s, credential, probe)
  return probe.error && !probe.quota ? { credential, unverified: probe.error } : { credential }
}

export function findCredential(s: Services, id: number): Credential {
  const c = s.pool.find(id)
  if (!c) throw new CredentialError(`credential ${id} not found`, 404)
  return c
}

/** Change remark and/or secret; a new secret is unverified until the probe that follows says so. */
export async function editCredential(s: Services, id: number, edit: { secret?: string; remark?: string }): Promise<Credential> {
  const c = findCredential(s, id)
  const patch: CredentialPatch = {}
  if (edit.remark !== undefined) patch.remark = edit.remark
  if (edit.secret) {
    const secret = normalizeSecret(instanceOf(s, c.provider), edit.secret)
    if (await s.pool.store.isDuplicate(c.provider, secret, id)) throw new CredentialError('this credential already exists', 409)
    Object.assign(patch, { secret, verified: false })
  }
  await s.pool.store.update(c, patch)
  return edit.secret ? (await probeCredential(s, id)).credential : c
}

export async function removeCredential(s: Services, id: number): Promise<void> {
  if (!(await s.pool.store.remove(id))) throw new CredentialError(`credential ${id} not found`, 404)
}

export async function probeCredential(s: Services, id: number): Promise<ProbeOutcome & { credential: Credential }> {
  const credential = findCredential(s, id)
  const instance = instanceOf(s, credential.provider)
  const probe = await probeSecret(s, instance, id, credential.secret)
  applyProbe(s, credential, probe)
  return { credential, ...probe }
}

const refreshing = new Set<number>()

/** After a credit-aware credential served a request, refresh its credit in the background. */
export function refreshAfterUse(s: Services, instance: ProviderInstance, id: number): void {
  if (!instance.adapter.canServe || !instance.adapter.probe || refreshing.has(id)) return
  refreshing.add(id)
  probeCredential(s, id)
    .catch(() => undefined)
    .finally(() => refreshing.delete(id))
}

export async function setEnabled(s: Services, id: number, enabled: boolean): Promise<Credential> {
  const c = findCredential(s, id)
  await s.pool.store.update(c, enabled ? { status: 'active', failures: 0, cooldownUntil: null, lastError: null } : { status: 'disabled' })
  s.log.warn(`credential ${c.id} (${mask(c.secret)}) of ${c.provider} ${enabled ? 'enabled' : 'disabled'} by the operator`)
  return c
}

/** Upsert the secrets listed in config.yaml (idempotent across restarts). */
export async function seedFromConfig(s: Services): Promise<number> {
  let added = 0
  for (const instance of s.instances.values()) {
    for (const raw of instance.configCredentials) {
      const secret = normalizeSecret(instance, raw)
      if (await s.pool.store.isDuplicate(instance.name, secret)) continue
      try {
        await s.pool.store.insert({ provider: instance.name, secret, source: 'config', remark: 'config.yaml' })
        added++
      } catch (err) {
        // Another instance starting from the same config.yaml stored it first (unique index).
        if (!(await s.pool.store.isDuplicate(instance.name, secret))) throw err
      }
    }
  }
  return added
}

/** Re-test invalid and unverified credentials, and refresh credits of credit-aware providers. */
export async function healAll(s: Services, opts: { all?: boolean } = {}): Promise<number> {
  let probed = 0
  for (const instance of s.instances.values()) {
    if (!instance.adapter.probe) continue
    const creditAware = Boolean(instance.adapter.canServe)
    for (const c of s.pool.store.all(instance.name)) {
      if (c.status === 'disabled') continue
      if (!opts.all && !creditAware && c.status !== 'invalid' && c.verified) continue
      await probeCredential(s, c.id).catch(() => undefined)
      probed++
    }
  }
  return probed
}
