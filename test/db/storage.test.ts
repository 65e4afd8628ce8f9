// Storage: secrets never hit the disk in clear, parallel writers never see "database is locked".
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { openDatabase, sqliteOf } from '../../src/db/client.js'
import { findDuplicate, insertCredential, listCredentials, updateCredential } from '../../src/db/credentials.repo.js'
import { insertKey } from '../../src/db/keys.repo.js'
import { SecretBox, loadOrCreateKey, safeEqual, sha256 } from '../../src/db/secret-box.js'
import { keyDisplay } from '../../src/core/client-keys.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'fw-db-'))

describe('encryption at rest', () => {
  it('stores no secret, state or client key in clear anywhere in the database files', async () => {
    const dir = tmp()
    const db = openDatabase(join(dir, 'f.db'))
    const box = new SecretBox(loadOrCreateKey(undefined, join(dir, 'secret.key')))
    const cookie = 'session=very-secret-cookie-value-ABCD'
    const c = await insertCredential(db, box, { provider: 'hixai-web', secret: cookie })
    await updateCredential(db, box, c.id, { state: { accessToken: 'cached-access-token-WXYZ' } })
    await insertKey(db, { ...keyDisplay('sk-fw-client-key-secret-9876'), remark: 'k' })
    sqliteOf(db).pragma('wal_checkpoint(TRUNCATE)')
    const raw = readdirSync(dir)
      .filter((f) => f.startsWith('f.db'))
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('')
    for (const secret of [cookie, 'very-secret-cookie-value', 'cached-access-token-WXYZ', 'sk-fw-client-key-secret-9876'])
      expect(raw).not.toContain(secret)
    expect(raw).toContain(sha256('sk-fw-client-key-secret-9876'))
    expect((await listCredentials(db, box))[0]).toMatchObject({ secret: cookie, state: { accessToken: 'cached-access-token-WXYZ' } })
    expect((await findDuplicate(db, 'hixai-web', cookie))?.id).toBe(c.id)
  })

  it('generates the key file once with 0600 permissions and reuses it', async () => {
    const file = join(tmp(), 'data', 'secret.key')
    const key = loadOrCreateKey(undefined, file)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(loadOrCreateKey(undefined, file)).toBe(key)
    expect(loadOrCreateKey('configured-key', join(tmp(), 'other.key'))).toBe('configured-key')
  })

  it('refuses to open a secret sealed with another key', async () => {
    const sealed = new SecretBox('key-one').seal('hello')
    expect(new SecretBox('key-one').open(sealed)).toBe('hello')
    expect(() => new SecretBox('key-two').open(sealed)).toThrow()
  })

  it('compares secrets in constant time, correctly', async () => {
    expect(safeEqual('abc', 'abc')).toBe(true)
    expect(safeEqual('abc', 'abd')).toBe(false)
    expect(safeEqual('abc', 'abcd')).toBe(false)
  })
})

describe('parallel writers', () => {
  it('four threads writing usage rows at once all succeed', async () => {
    const file = join(tmp(), 'busy.db')
    sqliteOf(openDatabase(file)).close() // migrate first, as the server does at start
    const workerCode = `
      const { workerData, parentPort } = require('node:worker_threads')
      const Database = require(workerData.driver)
      const db = new Database(workerData.file)
      db.pragma('journal_mode = WAL')
      db.pragma('busy_timeout = 5000')
      const insert = db.prepare("insert into usage_records (request_id, created_at, model, stream, latency_ms, status) values (?, ?, 'm', 0, 1, 200)")
      let errors = 0
      for (let i = 0; i < 300; i++) {
        try { db.transaction(() => insert.run(workerData.name + '-' + i, Date.now()))() } catch { errors++ }
      }
      db.close()
      parentPort.postMessage(errors)
    `
    const driver = require.resolve('better-sqlite3')
    const runs = ['a', 'b', 'c', 'd'].map(
      (name) =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(workerCode, { eval: true, workerData: { file, name, driver } })
          w.once('message', resolve)
          w.once('error', reject)
        }),
    )
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0])
    const db = openDatabase(file)
    expect(sqliteOf(db).prepare('select count(*) as n from usage_records').get()).toEqual({ n: 1200 })
    expect(existsSync(`${file}-wal`)).toBe(true)
  })
})

describe('connection settings', () => {
  it('opens in WAL mode with a small page cache (better-sqlite3 defaults to 16 MB, which stays resident)', async () => {
    const db = openDatabase(join(tmp(), 'f.db'))
    expect(sqliteOf(db).pragma('journal_mode', { simple: true })).toBe('wal')
    expect(sqliteOf(db).pragma('cache_size', { simple: true })).toBe(-512)
    expect(sqliteOf(db).pragma('foreign_keys', { simple: true })).toBe(1)
  })
})
