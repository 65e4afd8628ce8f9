// Which database the configuration selects: SQLite unless DATABASE_URL, database.url or MYSQL_DSN names a server.
import { describe, expect, it } from 'vitest'
import { databaseTarget, describeTarget, mysqlDsnToUrl } from '../../src/config/database.js'
import { ConfigError, buildConfig } from '../../src/config/load.js'

const target = (raw: Record<string, unknown>, env: Record<string, string> = {}) => databaseTarget(buildConfig(raw, env).database)

describe('database selection', () => {
  it('is SQLite at database.path by default', () => {
    expect(target({})).toEqual({ dialect: 'sqlite', path: './data/freeway.db' })
    expect(target({}, { DATABASE_PATH: '/x/f.db' })).toEqual({ dialect: 'sqlite', path: '/x/f.db' })
  })

  it('is PostgreSQL for a postgres:// or postgresql:// DATABASE_URL or database.url', () => {
    expect(target({}, { DATABASE_URL: 'postgres://u:p@db:5432/fw' })).toEqual({ dialect: 'postgres', url: 'postgres://u:p@db:5432/fw' })
    expect(target({ database: { url: 'postgresql://db/fw' } })).toMatchObject({ dialect: 'postgres' })
  })

  it('is MySQL for a mysql:// DATABASE_URL or MYSQL_DSN in either form; DATABASE_URL wins', () => {
    expect(target({}, { DATABASE_URL: 'mysql://root@db:3306/fw' })).toMatchObject({ dialect: 'mysql' })
    expect(target({}, { MYSQL_DSN: 'fw:s3cr@t@tcp(db:3306)/freeway?charset=utf8mb4&parseTime=True' })).toEqual({
      dialect: 'mysql',
      url: 'mysql://fw:s3cr%40t@db:3306/freeway',
    })
    expect(target({}, { MYSQL_DSN: 'mysql://fw@db/freeway' })).toEqual({ dialect: 'mysql', url: 'mysql://fw@db/freeway' })
    expect(target({}, { MYSQL_DSN: 'root@tcp(db:3306)/a', DATABASE_URL: 'postgres://db/b' })).toMatchObject({ dialect: 'postgres' })
    expect(mysqlDsnToUrl('root:@tcp(127.0.0.1:3306)/t')).toBe('mysql://root:@127.0.0.1:3306/t')
  })

  it('refuses other URLs and unreadable DSNs with a config error', () => {
    expect(() => buildConfig({}, { DATABASE_URL: 'redis://x' })).toThrow(ConfigError)
    expect(() => buildConfig({}, { MYSQL_DSN: 'not a dsn' })).toThrow(/MYSQL_DSN/)
  })

  it('hides the password when it names the database', () => {
    expect(describeTarget({ dialect: 'postgres', url: 'postgres://u:secret@db/fw' })).toBe('postgres://u:***@db/fw')
  })
})
