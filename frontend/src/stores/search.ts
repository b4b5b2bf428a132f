// Search-as-you-type for the header box. Each keystroke restarts a short debounce; when it fires, the previous
// request is aborted and a new one starts. A response that still arrives for an older query (the abort came
// too late) is ignored by its sequence number, so the list never jumps back to what was typed before.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { search } from '../api/catalog'
import { ApiError, isAbort } from '../api/http'
import type { SearchResult } from '../api/types'

export const SEARCH_DEBOUNCE_MS = 120
/** Product suggestions in the dropdown; the full results page shows more. */
export const SUGGESTION_LIMIT = 6
export const CATEGORY_SUGGESTIONS = 3

export const useSearchStore = defineStore('search', () => {
  const query = ref('')
  const result = shallowRef<SearchResult | null>(null)
  const loading = ref(false)
  const error = shallowRef<ApiError | null>(null)

  let timer: ReturnType<typeof setTimeout> | undefined
  let controller: AbortController | null = null
  let sequence = 0

  const hits = computed(() => result.value?.hits ?? [])
  // The categories that fit the query (the catalog picks the deepest that fit), not the top level's facets.
  const categories = computed(() => result.value?.suggested_categories.slice(0, CATEGORY_SUGGESTIONS) ?? [])
  const typoTolerant = computed(() => result.value?.engine === 'meilisearch')

  function cancelPending(): void {
    clearTimeout(timer)
    controller?.abort()
    controller = null
    sequence++ // whatever is still in flight is now stale
  }

  /** Called on every keystroke. */
  function setQuery(text: string): void {
    query.value = text
    cancelPending()
    const q = text.trim()
    if (!q) {
      result.value = null
      error.value = null
      loading.value = false
      return
    }
    loading.value = true
    timer = setTimeout(() => void fetchSuggestions(q), SEARCH_DEBOUNCE_MS)
  }

  async function fetchSuggestions(q: string): Promise<void> {
    const mine = ++sequence
    controller = new AbortController()
    try {
      const answer = await search(q, { limit: SUGGESTION_LIMIT }, controller.signal)
      if (mine !== sequence) return
      result.value = answer
      error.value = null
    } catch (err) {
      if (mine !== sequence || isAbort(err)) return
      error.value = err instanceof ApiError ? err : new ApiError(0, { title: 'Search failed' })
    } finally {
      if (mine === sequence) {
        loading.value = false
        controller = null
      }
    }
  }

  function clear(): void {
    setQuery('')
  }

  return { query, result, loading, error, hits, categories, typoTolerant, setQuery, clear }
})
