// AES-256-GCM for secrets at rest. The key comes from FREEWAY_SECRET_KEY or a key file generated
// once (0600) in the data folder.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export class SecretBox {
  private readonly key: Buffer

  constructor(keyMaterial: string | Buffer) {
    // Any passphrase works; hashing gives a uniform 32-byte key.
    this.key = createHash('sha256').update(keyMaterial).digest()
  }

  seal(plain: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`
  }

  open(sealed: string): string {
    if (!sealed.startsWith('v1:')) throw new Error('unknown secret format')
    const raw = Buffer.from(sealed.slice(3), 'base64')
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12))
    decipher.setAuthTag(raw.subarray(12, 28))
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** Constant-time comparison of two secrets of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest()
  const hb = createHash('sha256').update(b).digest()
  return timingSafeEqual(ha, hb) && a.length === b.length
}

/** FREEWAY_SECRET_KEY if given, else the key file beside the database (created on first start). */
export function loadOrCreateKey(configured: string | undefined, keyFile: string): string {
  if (configured) return configured
  if (existsSync(keyFile)) return readFileSync(keyFile, 'utf8').trim()
  mkdirSync(dirname(keyFile), { recursive: true })
  const key = randomBytes(32).toString('base64')
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 })
  chmodSync(keyFile, 0o600)
  return key
}
