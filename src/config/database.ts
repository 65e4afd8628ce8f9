// Which database: PostgreSQL or MySQL/MariaDB when database.url (DATABASE_URL, or MYSQL_DSN in
// Go's driver form) names one, else SQLite at database.path, the zero-config default.

export type DatabaseTarget =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; url: string }
  | { dialect: 'mysql'; url: string }

/** The schemes database.url accepts, and the engine each selects. */
const SCHEMES: Record<string, 'postgres' | 'mysql'> = { 'postgres:': 'postgres', 'postgresql:': 'postgres', 'mysql:': 'mysql', 'mariadb:': 'mysql' }

/**
 * MYSQL_DSN as Go's MySQL driver writes it (`user:pass@tcp(host:3306)/db?params`, also HixAI2Api's
 * form) or already a mysql:// URL, turned into the URL mysql2 takes.
 */
export function mysqlDsnToUrl(dsn: string): string {
  if (/^(mysql|mariadb):\/\//i.test(dsn)) return dsn
  const m = /^(?:([^:@]*)(?::(.*))?@)?(?:tcp\(([^)]*)\)|unix\([^)]*\))?\/([^?]*)(?:\?.*)?$/.exec(dsn)
  if (!m) throw new Error('MYSQL_DSN: expected user:pass@tcp(host:port)/database or mysql://user:pass@host:port/database')
  // Go's options after `?` (parseTime, charset...) mean nothing to mysql2 and are dropped.
  const [, user = '', pass, address = '127.0.0.1:3306', database = ''] = m
  const auth = user ? `${encodeURIComponent(user)}${pass === undefined ? '' : `:${encodeURIComponent(pass)}`}@` : ''
  return `mysql://${auth}${address}/${database}`
}

export function databaseTarget(db: { path: string; url?: string | undefined }): DatabaseTarget {
  if (!db.url) return { dialect: 'sqlite', path: db.path }
  const dialect = SCHEMES[schemeOf(db.url)]
  if (!dialect) throw new Error('database.url: expected a postgres://, postgresql:// or mysql:// URL')
  return { dialect, url: db.url }
}

const schemeOf = (url: string) => /^[a-z]+:/i.exec(url)?.[0].toLowerCase() ?? ''

/** The URL without its password, for the start-up line and errors. */
export function describeTarget(t: DatabaseTarget): string {
  if (t.dialect === 'sqlite') return t.path
  try {
    const u = new URL(t.url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return `${t.dialect} (unparsable URL)`
  }
}
