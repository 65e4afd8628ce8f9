// Upstream credentials. Secrets and provider state are sealed here and nowhere else.
import { and, eq } from 'drizzle-orm'
import type { Db } from './client.js'
import { affected, insertReturning } from './dialect.js'
import type { credentials } from './schema.js'
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

export async function findDuplicate(db: Db, provider: string, secret: string): Promise<Row | undefined> {
  const c = db.t.credentials
  return (await db.orm.select().from(c).where(and(eq(c.provider, provider), eq(c.secretHash, secretHashOf(provider, secret)))).limit(1))[0]
}

export async function insertCredential(db: Db, box: SecretBox, c: NewCredential): Promise<Credential> {
  const row = await insertReturning(db, db.t.credentials, {
    provider: c.provider,
    secretEnc: box.seal(c.secret),
    secretHash: secretHashOf(c.provider, c.secret),
    secretTail: c.secret.slice(-4),
    remark: c.remark ?? '',
    source: c.source ?? 'admin',
    verified: c.verified ?? false,
  })
  return open(box, row)
}

export async function listCredentials(db: Db, box: SecretBox, provider?: string): Promise<Credential[]> {
  const c = db.t.credentials
  const rows = await db.orm
    .select()
    .from(c)
    .where(provider ? eq(c.provider, provider) : undefined)
    .orderBy(c.id)
  return rows.map((r) => open(box, r))
}

export async function getCredential(db: Db, box: SecretBox, id: number): Promise<Credential | undefined> {
  const c = db.t.credentials
  const row = (await db.orm.select().from(c).where(eq(c.id, id)).limit(1))[0]
  return row ? open(box, row) : undefined
}

/** Record when credentials were last used, many at once (kept in memory between writes). */
export async function touchCredentials(db: Db, usedAt: ReadonlyMap<number, number>): Promise<void> {
  if (!usedAt.size) return
  const sqlite = db.sqlite
  if (sqlite) {
    const stmt = sqlite.prepare('update credentials set last_used_at = ? where id = ?')
    await db.transaction(async () => {
      for (const [id, at] of usedAt) stmt.run(at, id)
    })
    return
  }
  const c = db.t.credentials
  await db.transaction(async (tx) => {
    for (const [id, at] of usedAt) await tx.orm.update(c).set({ lastUsedAt: at }).where(eq(c.id, id))
  })
}

/**
 * Apply a patch; plain columns are written as they are, secret and state sealed first. Returns the
 * row's new updatedAt, or undefined when there is no such row.
 */
export async function updateCredential(db: Db, box: SecretBox, id: number, patch: CredentialPatch): Promise<number | undefined> {
  const c = db.t.credentials
  const { secret, state, ...plain } = patch
  const updatedAt = Date.now()
  const values: Partial<Row> = { ...plain, updatedAt }
  if (state !== undefined) values.stateEnc = box.seal(JSON.stringify(state))
  if (secret !== undefined) {
    const current = (await db.orm.select({ provider: c.provider }).from(c).where(eq(c.id, id)).limit(1))[0]
    if (!current) return undefined
    values.secretEnc = box.seal(secret)
    values.secretHash = secretHashOf(current.provider, secret)
    values.secretTail = secret.slice(-4)
  }
  return affected(await db.write(() => db.orm.update(c).set(values).where(eq(c.id, id)))) > 0 ? updatedAt : undefined
}

export async function deleteCredential(db: Db, id: number): Promise<boolean> {
  const c = db.t.credentials
  return affected(await db.write(() => db.orm.delete(c).where(eq(c.id, id)))) > 0
}
