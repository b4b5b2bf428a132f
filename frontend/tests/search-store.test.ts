import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import * as catalog from '../src/api/catalog'
import type { SearchResult } from '../src/api/types'
import { SEARCH_DEBOUNCE_MS, useSearchStore } from '../src/stores/search'
import { searchResult } from './fixtures'

vi.mock('../src/api/catalog')
const search = vi.mocked(catalog.search)

/** A search call the test answers by hand, to control the order responses arrive in. */
function deferred() {
  let resolve!: (value: SearchResult) => void
  const promise = new Promise<SearchResult>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

beforeEach(() => {
  vi.useFakeTimers()
  vi.resetAllMocks()
  setActivePinia(createPinia())
})
afterEach(() => {
  vi.useRealTimers()
})

describe('search store', () => {
  it('waits for a pause in typing before asking the server', async () => {
    search.mockResolvedValue(searchResult('iph', ['iPhone']))
    const store = useSearchStore()

    store.setQuery('i')
    store.setQuery('ip')
    store.setQuery('iph')
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 1)
    expect(search).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)

    expect(search).toHaveBeenCalledTimes(1)
    expect(search.mock.calls[0]![0]).toBe('iph')
    await vi.waitFor(() => expect(store.hits.map((h) => h.name)).toEqual(['iPhone']))
    expect(store.loading).toBe(false)
  })

  it('ignores a late answer to an older query and aborts its request', async () => {
    const slow = deferred()
    const fast = deferred()
    search.mockReturnValueOnce(slow.promise).mockReturnValueOnce(fast.promise)
    const store = useSearchStore()

    store.setQuery('sa')
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS)
    const firstSignal = search.mock.calls[0]![2]!
    store.setQuery('sam')
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS)
    expect(firstSignal.aborted).toBe(true)

    fast.resolve(searchResult('sam', ['Samsung Galaxy']))
    await vi.waitFor(() => expect(store.hits.map((h) => h.name)).toEqual(['Samsung Galaxy']))
    slow.resolve(searchResult('sa', ['Sandisk card']))
    await vi.advanceTimersByTimeAsync(0)

    expect(store.hits.map((h) => h.name)).toEqual(['Samsung Galaxy'])
    expect(store.result?.query).toBe('sam')
  })

  it('clears results at once for an empty box, and drops what was in flight', async () => {
    const pending = deferred()
    search.mockReturnValueOnce(pending.promise)
    const store = useSearchStore()
    store.setQuery('x')
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS)

    store.setQuery('  ')
    pending.resolve(searchResult('x', ['Xperia']))
    await vi.advanceTimersByTimeAsync(0)

    expect(store.result).toBeNull()
    expect(store.loading).toBe(false)
  })

  it('says when the typo-tolerant engine answered', async () => {
    search.mockResolvedValue(searchResult('iphnoe', ['iPhone'], 'meilisearch'))
    const store = useSearchStore()
    store.setQuery('iphnoe')
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS)
    await vi.waitFor(() => expect(store.typoTolerant).toBe(true))
  })
})
