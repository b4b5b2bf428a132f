// One way to call the shop's APIs: relative `/api/...` paths (the reverse proxy, or Vite's proxy in dev, picks
// the service), JSON in and out, and every failure turned into an ApiError carrying the RFC 9457 problem.

export interface FieldError {
  field: string
  reason: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  code?: string
  field?: string
  errors?: FieldError[]
  lines?: unknown[]
  order_number?: string
  /** With 409 total_changed: what placing the order would charge now. */
  total?: string
}

export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached at all. */
  readonly status: number
  readonly problem: Problem
  /** Seconds from a Retry-After header (503, 429, 409 in_progress or checkout_in_progress), when given. */
  readonly retryAfter: number | null

  constructor(status: number, problem: Problem, retryAfter: number | null = null) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.retryAfter = retryAfter
  }

  get code(): string | undefined {
    return this.problem.code
  }

  /** Field errors; a problem naming one `field` at the top level counts as one. */
  get fieldErrors(): FieldError[] {
    if (this.problem.errors?.length) return this.problem.errors
    if (this.problem.field) return [{ field: this.problem.field, reason: this.problem.detail ?? 'is invalid' }]
    return []
  }

  /**
   * Worth trying again later with the same request: the server or the network had a problem, the client is
   * going too fast (429), or another tab is paying for the same cart right now (409 checkout_in_progress).
   */
  get isTransient(): boolean {
    return (
      this.status === 0 ||
      this.status >= 500 ||
      this.status === 429 ||
      (this.status === 409 && this.code === 'checkout_in_progress')
    )
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError'
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
}

/** How long an answer asked for ahead waits for its page: longer, and the page asks afresh. */
const AHEAD_MS = 10_000
const ahead = new Map<string, { at: number; answer: Promise<unknown> }>()

/**
 * Starts GET `path` now, for a page whose code is still downloading (see lib/page-data.ts): the page's own
 * `request` of the same path, within AHEAD_MS, takes this answer over instead of asking again, so the answer
 * and the page's code arrive side by side rather than one after the other.
 */
export function prefetch(path: string): void {
  const now = Date.now()
  for (const [key, entry] of ahead) if (now - entry.at >= AHEAD_MS) ahead.delete(key)
  if (ahead.has(path)) return
  const answer = send(path, {})
  answer.catch(() => {}) // the page's own request sees the failure
  ahead.set(path, { at: now, answer })
}

export function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const early = (options.method ?? 'GET') === 'GET' ? ahead.get(path) : undefined
  if (early) {
    ahead.delete(path)
    if (Date.now() - early.at < AHEAD_MS) return abortable(early.answer as Promise<T>, options.signal)
  }
  return send(path, options)
}

/** `answer`, or an AbortError as soon as `signal` aborts (as fetch would have rejected). */
function abortable<T>(answer: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return answer
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new DOMException('The request was aborted.', 'AbortError'))
    if (signal.aborted) return abort()
    signal.addEventListener('abort', abort, { once: true })
    answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}

async function send<T>(path: string, options: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  let body: string | undefined
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  let response: Response
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, body, signal: options.signal })
  } catch (err) {
    if (isAbort(err)) throw err
    throw new ApiError(0, { title: 'Network error', detail: 'The shop could not be reached.' })
  }
  const text = await response.text()
  let data: unknown = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      // A proxy's HTML error page (502 from nginx while a service restarts) is not JSON; the status says enough.
      data = null
    }
  }
  if (!response.ok) {
    const problem: Problem = data && typeof data === 'object' ? (data as Problem) : { title: response.statusText }
    const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10)
    throw new ApiError(response.status, problem, Number.isFinite(retryAfter) ? retryAfter : null)
  }
  return data as T
}

/** A query string from the values that are set; empty strings and undefined are left out. */
export function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === false) continue
    search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}
