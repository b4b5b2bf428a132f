// A stand-in for the shop's HTTP APIs behind `fetch`: answers come from a table of "METHOD /path" entries, and
// every request is recorded with its JSON body, so tests assert on what went over the wire (the contract), not on
// calls between our own modules.
import { vi } from 'vitest'

export interface Answer {
  status?: number
  body?: unknown
  headers?: Record<string, string>
}

export interface SentRequest {
  method: string
  path: string
  body: unknown
  headers: Record<string, string>
}

export type Route = Answer | ((body: unknown) => Answer) | 'network-error'

export interface FakeApi {
  routes: Record<string, Route>
  sent: SentRequest[]
  /** "METHOD /path" of every request, in order. */
  calls(): string[]
  /** The body of the last request to "METHOD /path". */
  bodyOf(route: string): unknown
}

export function fakeApi(routes: Record<string, Route> = {}): FakeApi {
  const api: FakeApi = {
    routes,
    sent: [],
    calls: () => api.sent.map((r) => `${r.method} ${r.path}`),
    bodyOf: (route) => api.sent.filter((r) => `${r.method} ${r.path}` === route).at(-1)?.body,
  }
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const method = init.method ?? 'GET'
      const path = String(input)
      const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined
      api.sent.push({ method, path, body, headers: { ...(init.headers as Record<string, string>) } })
      const route = api.routes[`${method} ${path}`]
      if (route === 'network-error') throw new TypeError('Failed to fetch')
      const answer = typeof route === 'function' ? route(body) : (route ?? { status: 404, body: { title: 'Not found' } })
      const status = answer.status ?? 200
      const text = answer.body === undefined ? null : JSON.stringify(answer.body)
      return new Response(status === 204 ? null : text, { status, headers: answer.headers })
    }),
  )
  return api
}

/** An RFC 9457 problem answer. */
export function problem(status: number, fields: Record<string, unknown> = {}, headers?: Record<string, string>): Answer {
  return { status, body: { status, title: 'Problem', ...fields }, headers }
}
