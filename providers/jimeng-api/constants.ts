// Fixed facts about Volcengine's visual API (Jimeng video 3.0) and the models Freeway offers.

export const PROVIDER_ID = 'jimeng-api'
export const DEFAULT_BASE_URL = 'https://visual.volcengineapi.com'
export const API_VERSION = '2022-08-31'
export const REGION = 'cn-north-1'
export const SERVICE = 'cv'
export const SUBMIT_ACTION = 'CVSync2AsyncSubmitTask'
export const RESULT_ACTION = 'CVSync2AsyncGetResult'
/** Success is this code in the body (HTTP 200 carries failures too). */
export const OK_CODE = 10000

/** What a req_key takes as input. */
export type JimengMode = 't2v' | 'first' | 'first_tail' | 'recamera'

/** Public model id = req_key. */
export const MODELS: Readonly<Record<string, JimengMode>> = {
  jimeng_t2v_v30_1080p: 't2v',
  jimeng_t2v_v30: 't2v',
  jimeng_i2v_first_v30: 'first',
  jimeng_i2v_first_v30_1080: 'first',
  jimeng_i2v_first_tail_v30: 'first_tail',
  jimeng_i2v_first_tail_v30_1080: 'first_tail',
  jimeng_i2v_recamera_v30: 'recamera',
}

/** Text-to-video aspect ratios the API takes. */
export const ASPECT_RATIOS = ['16:9', '4:3', '1:1', '3:4', '9:16', '21:9'] as const

/** Recamera defaults when the request names none (template_id / camera_strength in `extra`). */
export const DEFAULT_TEMPLATE_ID = 'hitchcock_dolly_in'
export const DEFAULT_CAMERA_STRENGTH = 'medium'

/** 121 frames = 5 s, 241 = 10 s: the only two lengths. */
export const framesFor = (seconds: number | undefined) => (seconds !== undefined && seconds > 5 ? 241 : 121)
export const secondsFor = (frames: number) => (frames > 121 ? 10 : 5)

/** Visual API codes that are not the caller's or the task's fault. */
export const RATE_LIMIT_CODES = new Set([50429, 50430])
/** Gateway errors (ResponseMetadata.Error.Code) that condemn the key pair. */
export const AUTH_ERROR_CODES = new Set(['SignatureDoesNotMatch', 'InvalidAccessKey', 'InvalidCredential', 'AccessDenied', 'MissingAuthenticationToken'])
