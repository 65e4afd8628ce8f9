// Adding, probing and seeding credentials: shared by the admin API, config.yaml and the healer.
import { type Credential, findDuplicate, insertCredential, listCredentials, updateCredential } from '../db/credentials.repo.js'
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

/**
 * Ask the provider whether a credential works. `health` is the upstream's verdict on the
 * credential; `error` means the probe itself could not run (network, Cloudflare), which says
 * nothing about the credential and must not change its status.
 */
export async function probeSecret(
  s: Services,
  instance: ProviderInstance,
  id: number | null,
  secret: string,
): Promise<{ health?: CredentialHealth; error?: string }> {
  if (!instance.adapter.probe) return {}
  const lease = (id === null ? undefined : s.pool.leaseForProbe(instance.name, id)) ?? s.pool.passthroughLease(instance.name, secret)
  const ctx = callContext(instance, lease, AbortSignal.timeout(instance.settings.timeout_ms), s.log)
  try {
    return { health: await instance.adapter.probe(ctx) }
  } catch (err) {
    return { error: (err as Error).message }
  }
}

export interface AddOptions {
  remark?: string
  source?: 'admin' | 'config'
  /** Probe before storing and refuse a dead credential (admin API). */
  verify?: boolean
}

export async function addCredential(s: Services, provider: string, raw: string, opts: AddOptions = {}): Promise<Credential> {
  const instance = instanceOf(s, provider)
  const secret = normalizeSecret(instance, raw)
  if (findDuplicate(s.db, instance.name, secret)) throw new CredentialError(`this credential already exists for ${provider}`, 409)
  let health: CredentialHealth | undefined
  if (opts.verify) {
    const probe = await probeSecret(s, instance, null, secret)
    if (probe.error) throw new CredentialError(`could not verify the credential with ${provider}: ${probe.error}`, 502)
    health = probe.health
    if (health && !health.ok) throw new CredentialError(`${provider} rejected the credential: ${health.reason ?? 'unknown reason'}`, 422)
  }
  const created = insertCredential(s.db, s.box, { provider: instance.name, secret, remark: opts.remark ?? '', source: opts.source ?? 'admin' })
  s.pool.invalidate(instance.name)
  if (health) s.pool.applyHealth(created.id, health)
  return s.pool.find(created.id) ?? created
}

export async function probeCredential(
  s: Services,
  id: number,
): Promise<{ credential: Credential; health?: CredentialHealth; error?: string }> {
  const credential = s.pool.find(id)
  if (!credential) throw new CredentialError(`credential ${id} not found`, 404)
  const instance = instanceOf(s, credential.provider)
  const probe = await probeSecret(s, instance, id, credential.secret)
  if (probe.health) s.pool.applyHealth(id, probe.health)
  return { credential: s.pool.find(id) ?? credential, ...probe }
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

export function setEnabled(s: Services, id: number, enabled: boolean): Credential {
  const c = s.pool.find(id)
  if (!c) throw new CredentialError(`credential ${id} not found`, 404)
  updateCredential(s.db, s.box, id, enabled ? { status: 'active', failures: 0, cooldownUntil: null, lastError: null } : { status: 'disabled' })
  s.pool.invalidate(c.provider)
  return s.pool.find(id)!
}

/** Upsert the secrets listed in config.yaml (idempotent across restarts). */
export function seedFromConfig(s: Services): number {
  let added = 0
  for (const instance of s.instances.values()) {
    for (const raw of instance.configCredentials) {
      const secret = normalizeSecret(instance, raw)
      if (findDuplicate(s.db, instance.name, secret)) continue
      insertCredential(s.db, s.box, { provider: instance.name, secret, source: 'config', remark: 'config.yaml' })
      added++
    }
    s.pool.invalidate(instance.name)
  }
  return added
}

/** Re-test invalid credentials and refresh credits of credit-aware providers. */
export async function healAll(s: Services, opts: { all?: boolean } = {}): Promise<number> {
  let probed = 0
  for (const instance of s.instances.values()) {
    if (!instance.adapter.probe) continue
    const creditAware = Boolean(instance.adapter.canServe)
    for (const c of listCredentials(s.db, s.box, instance.name)) {
      if (c.status === 'disabled') continue
      if (!opts.all && !creditAware && c.status !== 'invalid') continue
      await probeCredential(s, c.id).catch(() => undefined)
      probed++
    }
  }
  return probed
}
