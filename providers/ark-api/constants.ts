// Volcengine Ark (Doubao) endpoints and the models Freeway offers through them.
import type { ModelSpec } from '../../src/kit/types.js'

export const PROVIDER_ID = 'ark-api'
export const DEFAULT_BASE_URL = 'https://ark.cn-beijing.volces.com/api/v3'

export const CHAT_PATH = '/chat/completions'
export const IMAGES_PATH = '/images/generations'
export const VIDEO_TASKS_PATH = '/contents/generations/tasks'

export const MEDIA_MODELS: readonly ModelSpec[] = [
  { id: 'doubao-seedream-4-0-250828', kind: 'image' },
  { id: 'doubao-seedream-4-5-251128', kind: 'image' },
  { id: 'doubao-seedream-3-0-t2i-250415', kind: 'image' },
  { id: 'doubao-seededit-3-0-i2i-250628', kind: 'image' },
  { id: 'doubao-seedance-1-0-pro-250528', kind: 'video' },
  { id: 'doubao-seedance-1-0-lite-t2v-250428', kind: 'video' },
  { id: 'doubao-seedance-1-0-lite-i2v-250428', kind: 'video' },
  { id: 'doubao-seedance-1-5-pro-251215', kind: 'video' },
]

/** Chat models (OpenAI-compatible); the `models` setting replaces them. Endpoint ids (`ep-…`) are always accepted. */
export const DEFAULT_CHAT_MODELS = ['doubao-seed-1-6-250615', 'doubao-seed-1-6-flash-250828', 'doubao-seed-1-6-thinking-250715', 'doubao-1-5-pro-32k-250115']
