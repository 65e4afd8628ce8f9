// Fixed facts about Kling's official API and the models Freeway offers.

export const PROVIDER_ID = 'kling-api'
/** China host; global accounts set base_url to https://api-singapore.klingai.com (keys do not cross regions). */
export const DEFAULT_BASE_URL = 'https://api-beijing.klingai.com'
/** A token lives 30 minutes; nbf is set a little in the past so a clock running ahead is accepted. */
export const TOKEN_TTL_S = 1800
export const NOT_BEFORE_SKEW_S = 5

/** Which create endpoint a model uses: the classic pair (text2video / image2video) or omni-video. */
export type Family = 'classic' | 'omni'

export interface KlingModel {
  id: string
  /** `model_name` sent upstream. */
  upstream: string
  family: Family
}

const classic = (id: string): KlingModel => ({ id, upstream: id, family: 'classic' })

export const MODELS: readonly KlingModel[] = [
  // Kling O1 is served by /v1/videos/omni-video as kling-video-o1 (third-party docs; not in the official excerpt).
  { id: 'kling-o1', upstream: 'kling-video-o1', family: 'omni' },
  ...['kling-v1', 'kling-v1-5', 'kling-v1-6', 'kling-v2-master', 'kling-v2-1', 'kling-v2-1-master', 'kling-v2-5-turbo', 'kling-v2-6', 'kling-v3'].map(classic),
]

/** Kling's business codes (HTTP 401 and 429 carry several). */
export const AUTH_CODES = new Set([1000, 1001, 1002, 1003, 1004])
/** 1100 account exception, 1101 in arrears, 1102 resource pack used up: no use retrying soon. */
export const QUOTA_CODES = new Set([1100, 1101, 1102])
