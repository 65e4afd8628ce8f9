// Fixed facts about the Suno-API service (github.com/Suno-API/Suno-API, the shape new-api's "suno"
// channel expects) and the models Freeway offers. The service is self-hosted: set base_url.

export const PROVIDER_ID = 'suno-api'
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080'
export const SUBMIT_PATH = '/suno/submit/music'
export const FETCH_PATH = '/suno/fetch'
export const ACCOUNT_PATH = '/suno/account'

/** Public model → `mv` (the service's default is chirp-v3-0; the others are unverified names). */
export const MODELS: Readonly<Record<string, string>> = {
  'suno-v3': 'chirp-v3-0',
  'suno-v3.5': 'chirp-v3-5',
  'suno-v4': 'chirp-v4',
}

/** Task statuses before the work starts, and the two terminal ones. */
export const QUEUED = new Set(['NOT_START', 'SUBMITTED', 'QUEUED'])
export const SUCCESS = 'SUCCESS'
export const FAILURE = 'FAILURE'
