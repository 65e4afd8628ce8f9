// `npm run db:generate` runs drizzle-kit once per dialect (DRIZZLE_DIALECT): SQLite's migrations
// stay in drizzle/ where existing databases recorded them; PostgreSQL's and MySQL's have folders.
import { defineConfig } from 'drizzle-kit'

const dialect = process.env.DRIZZLE_DIALECT ?? 'sqlite'

export default dialect === 'postgresql'
  ? defineConfig({ dialect: 'postgresql', schema: './src/db/schema.pg.ts', out: './drizzle/postgres' })
  : dialect === 'mysql'
    ? defineConfig({ dialect: 'mysql', schema: './src/db/schema.mysql.ts', out: './drizzle/mysql' })
    : defineConfig({ dialect: 'sqlite', schema: './src/db/schema.ts', out: './drizzle' })
