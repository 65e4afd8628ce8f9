// The OpenAI media routes in the OpenAPI document. The bodies are the fields common.ts reads
// (forms carry every value as a string, so numbers are accepted as strings too); fields the doors
// do not model go to the vendor as they are, hence loose objects. The answers are what images.ts,
// transcriptions.ts and videos.ts send.
import { z } from 'zod'
import { OPENAI_TURN_ERRORS, openaiErrors } from '../../errors.js'
import type { RouteDoc } from '../../route-doc.js'

const numeric = z.union([z.number(), z.string()])
const imageInput = z.union([z.string(), z.object({ image_url: z.string() }), z.object({ url: z.string() })])

export const imageGenerationSchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.string().min(1),
  n: numeric.optional().meta({ description: '1 to 10' }),
  size: z.string().optional(),
  response_format: z.enum(['url', 'b64_json']).optional(),
  quality: z.string().optional(),
  style: z.string().optional(),
  user: z.string().optional(),
})

export const imageEditSchema = imageGenerationSchema.extend({
  image: z.union([imageInput, z.array(imageInput)]).optional().meta({ description: 'A file (form), or an http(s) / data: URL' }),
  'image[]': z.array(imageInput).optional().meta({ description: 'Several files (form)' }),
  images: z.array(imageInput).optional().meta({ description: 'JSON: [{"image_url": "..."}]; one of image, image[] or images is required' }),
  mask: imageInput.optional(),
})

export const transcriptionSchema = z.looseObject({
  model: z.string().min(1),
  file: z.string().optional().meta({ description: 'The audio file (form); or file_url in JSON' }),
  file_url: z.string().optional(),
  language: z.string().optional(),
  prompt: z.string().optional(),
  response_format: z.enum(['json', 'text', 'verbose_json']).optional(),
  temperature: numeric.optional(),
  user: z.string().optional(),
})

export const videoCreateSchema = z.looseObject({
  model: z.string().min(1).meta({ description: 'A video model, or a music model (suno-…) on the same task API' }),
  prompt: z.string().min(1),
  seconds: numeric.optional(),
  size: z.string().optional(),
  input_reference: imageInput.optional().meta({ description: 'The first frame: a file (form) or a URL' }),
  last_frame: imageInput.optional(),
  negative_prompt: z.string().optional(),
  user: z.string().optional(),
})

const imagesAnswer = z.object({
  created: z.number().int(),
  data: z.array(z.union([z.object({ url: z.string() }), z.object({ b64_json: z.string() })])),
})

const transcriptionAnswer = z.object({
  text: z.string(),
  usage: z.object({ type: z.literal('tokens'), input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number() }).optional(),
  task: z.literal('transcribe').optional(),
  language: z.string().nullable().optional(),
  duration: z.number().nullable().optional(),
  segments: z.array(z.unknown()).optional(),
})

export const videoObjectSchema = z.object({
  id: z.string(),
  object: z.literal('video'),
  model: z.string(),
  status: z.enum(['queued', 'in_progress', 'completed', 'failed']),
  progress: z.number(),
  created_at: z.number().int().nullable(),
  completed_at: z.number().int().nullable(),
  expires_at: z.null(),
  prompt: z.string().nullable(),
  seconds: z.string().nullable(),
  size: z.string().nullable(),
  remixed_from_video_id: z.null(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  url: z.string().optional(),
  outputs: z.array(z.object({ kind: z.string(), url: z.string().optional(), mime: z.string().optional() })).optional(),
  text: z.string().optional(),
})

const videoList = z.object({
  object: z.literal('list'),
  data: z.array(videoObjectSchema),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
})

const videoId = z.object({ id: z.string().min(1).meta({ description: 'The task id (video_…)' }) })
const base = { tag: 'openai', auth: 'client', prefixed: true } as const
const FOLLOW_ERRORS = openaiErrors(401, 404)

export const mediaDocs = (): RouteDoc[] => [
  {
    ...base,
    method: 'post',
    path: '/v1/images/generations',
    summary: 'Images from a prompt; answers when they exist, as URLs or base64',
    body: imageGenerationSchema,
    response: imagesAnswer,
    errors: OPENAI_TURN_ERRORS,
  },
  {
    ...base,
    method: 'post',
    path: '/v1/images/edits',
    summary: 'Edit images: a form with image / image[] and mask, or JSON with image URLs',
    body: imageEditSchema,
    forms: true,
    response: imagesAnswer,
    errors: OPENAI_TURN_ERRORS,
  },
  {
    ...base,
    method: 'post',
    path: '/v1/audio/transcriptions',
    summary: 'Speech to text: a form with the audio file, or JSON with file_url (response_format text answers text/plain)',
    body: transcriptionSchema,
    forms: true,
    response: transcriptionAnswer,
    errors: OPENAI_TURN_ERRORS,
  },
  {
    ...base,
    method: 'post',
    path: '/v1/videos',
    summary: 'Start a video (or a song, with a music model); answers at once with the queued task',
    body: videoCreateSchema,
    forms: true,
    response: videoObjectSchema,
    errors: OPENAI_TURN_ERRORS,
  },
  {
    ...base,
    method: 'get',
    path: '/v1/videos',
    summary: "The caller's tasks, newest first",
    query: z.object({ limit: z.string().optional().meta({ description: '1 to 100, default 20' }), after: z.string().optional() }),
    response: videoList,
    errors: openaiErrors(401),
  },
  { ...base, method: 'get', path: '/v1/videos/{id}', summary: 'A task: status, progress and result', params: videoId, response: videoObjectSchema, errors: FOLLOW_ERRORS },
  {
    ...base,
    method: 'get',
    path: '/v1/videos/{id}/content',
    summary: "The result: a redirect to the vendor's URL, or the bytes when the result is inline",
    params: videoId,
    status: 302,
    errors: openaiErrors(401, 404, 409),
  },
]
