// Names, paths and fixed values of the metaso.cn web search (spec §3).
import type { MarkerSyntax } from '../../src/kit/citations.js'
import type { ModelSpec } from '../../src/kit/types.js'

export const PROVIDER_ID = 'metaso-web'
export const DEFAULT_BASE_URL = 'https://metaso.cn'

export const PATHS = {
  home: '/',
  myInfo: '/api/my-info',
  session: '/api/session',
  search: '/api/searchV2',
} as const

export type MetasoMode = 'concise' | 'detail' | 'research'

/** Public model → search mode; `metaso` alone is the site default, 深入 (detail). */
export const MODEL_MODES: Readonly<Record<string, MetasoMode>> = {
  metaso: 'detail',
  'metaso-concise': 'concise',
  'metaso-detail': 'detail',
  'metaso-research': 'research',
}

export const SUFFIXES: Readonly<Record<string, string>> = {
  scholar: 'search academic sources only (engineType "scholar")',
  cite: 'keep the [[N]] citation markers in the answer text',
}

export const MODELS: readonly ModelSpec[] = Object.keys(MODEL_MODES).map((id) => ({
  id,
  suffixes: ['scholar', 'cite'],
  ownedBy: 'metaso',
}))

/** `<meta id="meta-token" content="…">` on the home page. */
export const META_TOKEN_PATTERN = /<meta id="meta-token" content="([^"]*)"/

/**
 * Metaso labels sources `[[2]]` (MFA) and sometimes `[2]` (the Python proxy strips both; spec §6
 * vector "你好[1]" → "你好").
 */
export const METASO_MARKERS: MarkerSyntax = {
  pattern: /\[\[\d+\]\]|\[\d+\]/g,
  partial: /\[\[?\d*\]?$/,
}

/** Browser document-navigation headers: the home page is fetched the way a tab opens it. */
export const DOCUMENT_HEADERS: Readonly<Record<string, string>> = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'none',
  'upgrade-insecure-requests': '1',
}
