// DashScope (Alibaba Model Studio) endpoints and the models Freeway offers through them.
import type { ModelSpec } from '../../src/kit/types.js'

export const PROVIDER_ID = 'dashscope-api'
/** Beijing; Singapore is https://dashscope-intl.aliyuncs.com (keys are per region). */
export const DEFAULT_BASE_URL = 'https://dashscope.aliyuncs.com'

export const COMPATIBLE_CHAT_PATH = '/compatible-mode/v1/chat/completions'
export const COMPATIBLE_MODELS_PATH = '/compatible-mode/v1/models'
export const TEXT2IMAGE_PATH = '/api/v1/services/aigc/text2image/image-synthesis'
export const IMAGE2IMAGE_PATH = '/api/v1/services/aigc/image2image/image-synthesis'
export const MULTIMODAL_PATH = '/api/v1/services/aigc/multimodal-generation/generation'
export const VIDEO_PATH = '/api/v1/services/aigc/video-generation/video-synthesis'
export const TASK_PATH = '/api/v1/tasks/'

/**
 * Which DashScope API serves a media model: the async text-to-image and image-to-image services,
 * the sync multimodal generation (image edits and speech recognition), the async video service.
 */
export type MediaApi = 'text2image' | 'image2image' | 'image-edit' | 'asr' | 'video'

const image = (id: string, api: MediaApi): ModelSpec => ({ id, kind: 'image', meta: { api } })
const video = (id: string): ModelSpec => ({ id, kind: 'video', meta: { api: 'video' } })

export const MEDIA_MODELS: readonly ModelSpec[] = [
  image('qwen-image', 'text2image'),
  image('qwen-image-plus', 'text2image'),
  image('wan2.5-t2i-preview', 'text2image'),
  image('qwen-image-edit', 'image-edit'),
  image('qwen-image-edit-plus', 'image-edit'),
  image('wan2.5-i2i-preview', 'image2image'),
  { id: 'qwen3-asr-flash', kind: 'transcription', meta: { api: 'asr' } },
  video('wan2.5-t2v-preview'),
  video('wan2.5-i2v-preview'),
  video('wan2.2-t2v-plus'),
  video('wan2.2-i2v-flash'),
]

/** Chat and vision models served through compatible mode (the `models` setting replaces them). */
export const DEFAULT_CHAT_MODELS = ['qwen-max', 'qwen-plus', 'qwen-turbo', 'qwen3-max', 'qwen-vl-max', 'qwen-vl-plus']
