// The console shell: sign-in with the admin secret, navigation by URL hash, light and dark.
import './style.css'
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { SIGNED_OUT, call, secret } from './api.js'
import { Credentials } from './pages/credentials.js'
import { Keys } from './pages/keys.js'
import { Models } from './pages/models.js'
import { Overview } from './pages/overview.js'
import { Records } from './pages/records.js'
import { Settings } from './pages/settings.js'
import { Users } from './pages/users.js'

const PAGES = ['overview', 'credentials', 'keys', 'users', 'records', 'models', 'settings'] as const
type PageName = (typeof PAGES)[number]
const pageOf = (hash: string): PageName => (PAGES as readonly string[]).includes(hash.slice(2)) ? (hash.slice(2) as PageName) : 'overview'
const THEME_KEY = 'freeway.console.theme'

function SignIn({ onIn }: { onIn: () => void }) {
  const [value, setValue] = useState('')
  const [error, setError] = useState<string>()
  const submit = async (e: Event) => {
    e.preventDefault()
    secret.set(value)
    try {
      await call('POST', '/api/auth/verify')
      onIn()
    } catch (err) {
      secret.clear()
      setError((err as Error).message)
    }
  }
  return (
    <main class="signin">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>Freeway console</h1>
        <label class="field">
          <span>Admin secret</span>
          <input type="password" autoComplete="current-password" required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </label>
        <button type="submit">Sign in</button>
        {error && (
          <p class="notice error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  )
}

function App() {
  const [signedIn, setSignedIn] = useState(secret.get() !== null)
  const [page, setPage] = useState(pageOf(location.hash))
  const [lastKey, setLastKey] = useState('')
  const [theme, setTheme] = useState(localStorage.getItem(THEME_KEY) ?? 'auto')
  useEffect(() => {
    const onHash = () => setPage(pageOf(location.hash))
    const onSignedOut = () => {
      secret.clear()
      setSignedIn(false)
    }
    addEventListener('hashchange', onHash)
    addEventListener(SIGNED_OUT, onSignedOut)
    return () => {
      removeEventListener('hashchange', onHash)
      removeEventListener(SIGNED_OUT, onSignedOut)
    }
  }, [])
  useEffect(() => {
    document.documentElement.dataset.theme = theme
    localStorage.setItem(THEME_KEY, theme)
  }, [theme])

  if (!signedIn) return <SignIn onIn={() => setSignedIn(true)} />
  const signOut = () => {
    secret.clear()
    setSignedIn(false)
  }
  return (
    <>
      <header>
        <strong>Freeway</strong>
        <nav aria-label="Console">
          {PAGES.map((p) => (
            <a key={p} href={`#/${p}`} aria-current={p === page ? 'page' : undefined}>
              {p[0]!.toUpperCase() + p.slice(1)}
            </a>
          ))}
        </nav>
        <span class="tools">
          <select aria-label="Theme" value={theme} onChange={(e) => setTheme(e.currentTarget.value)}>
            <option value="auto">auto</option>
            <option value="light">light</option>
            <option value="dark">dark</option>
          </select>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        {page === 'overview' && <Overview />}
        {page === 'credentials' && <Credentials />}
        {page === 'keys' && <Keys onCreated={setLastKey} />}
        {page === 'users' && <Users />}
        {page === 'records' && <Records />}
        {page === 'models' && <Models lastKey={lastKey} />}
        {page === 'settings' && <Settings />}
      </main>
    </>
  )
}

render(<App />, document.getElementById('app')!)
