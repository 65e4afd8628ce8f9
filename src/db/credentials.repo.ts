// Upstream credentials. Secrets and provider state are sealed here and nowhere else.
import { and, eq } from 'drizzle-orm'
import type { Db } from './client.js'
import { credentials } from './schema.js'
import { type SecretBox, sha256 } from './secret-box.js'

type Row = typeof credentials.$inferSelect
export type CredentialStatus = Row['status']

/** A credential as the rest of the program sees it: secret and state opened. */
export interface Credential extends Omit<Row, 'secretEnc' | 'stateEnc' | 'secretHash'> {
  secret: string
  state: Record<string, unknown>
}

export interface NewCredential {
  provider: string
  secret: string
  remark?: string
  source?: 'admin' | 'config'
  verified?: boolean
}

export type CredentialPatch = Partial<
  Pick<
    Row,
    | 'remark'
    | 'status'
    | 'cooldownUntil'
    | 'failures'
    | 'lastError'
    | 'lastUsedAt'
    | 'lastProbedAt'
    | 'account'
    | 'credit'
    | 'advancedCredit'
    | 'subscribed'
    | 'verified'
  >
> & { secret?: string; state?: Record<string, unknown> }

function open(box: SecretBox, row: Row): Credential {
  const { secretEnc, stateEnc, secretHash: _hash, ...rest } = row
  return { ...rest, secret: box.open(secretEnc), state: stateEnc ? (JSON.parse(box.open(stateEnc)) as Record<string, unknown>) : {} }
}

export const secretHashOf = (provider: string, secret: string) => sha256(`${provider}\n${secret}`)

export function findDuplicate(db: Db, provider: string, secret: string): Row | undefined {
  return db
    .select()
    .from(credentials)
    .where(and(eq(credentials.provider, provider), eq(credentials.secretHash, secretHashOf(provider, secret))))
    .get()
}

export function insertCredential(db: Db, box: SecretBox, c: NewCredential): Credential {
  const row = db
    .insert(credentials)
    .values({
      provider: c.provider,
      secretEnc: box.seal(c.secret),
      secretHash: secretHashOf(c.provider, c.secret),
      secretTail: c.secret.slice(-4),
      remark: c.remark ?? '',
      source: c.source ?? 'admin',
      verified: c.verified ?? false,
    })
    .returning()
    .get()
  return open(box, row)
}

export function listCredentials(db: Db, box: SecretBox, provider?: string): Credential[] {
  const q = db.select().from(credentials)
  const rows = provider ? q.where(eq(credentials.provider, provider)).orderBy(credentials.id).all() : q.orderBy(credentials.id).all()
  return rows.map((r) => open(box, r))
}

export function getCredential(db: Db, box: SecretBox, id: number): Credential | undefined {
  const row = db.select().from(credentials).where(eq(credentials.id, id)).get()
  return row ? open(box, row) : undefined
}

/** Record when credentials were last used, many at once (kept in memory between writes). */
export function touchCredentials(db: Db, usedAt: ReadonlyMap<number, number>): void {
  const stmt = db.$client.prepare('update credentials set last_used_at = ? where id = ?')
  db.$client.transaction(() => {
    for (const [id, at] of usedAt) stmt.run(at, id)
  })()
}

/**
 * Apply a patch; plain columns are written as they are, secret and state sealed first. Returns the
 * row's new updatedAt, or undefined when there is no such row.
 */
export function updateCredential(db: Db, box: SecretBox, id: number, patch: CredentialPatch): number | undefined {
  const { secret, state, ...plain } = patch
  const updatedAt = Date.now()
  const values: Partial<Row> = { ...plain, updatedAt }
  if (state !== undefined) values.stateEnc = box.seal(JSON.stringify(state))
  if (secret !== undefined) {
    const current = db.select({ provider: credentials.provider }).from(credentials).where(eq(credentials.id, id)).get()
    if (!current) return undefined
    values.secretEnc = box.seal(secret)
    values.secretHash = secretHashOf(current.provider, secret)
    values.secretTail = secret.slice(-4)
  }
  return db.update(credentials).set(values).where(eq(credentials.id, id)).run().changes > 0 ? updatedAt : undefined
}

export const deleteCredential = (db: Db, id: number): boolean =>
  db.delete(credentials).where(eq(credentials.id, id)).run().changes > 0
