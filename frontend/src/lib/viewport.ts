// What the viewport shows, as reactive values for components: whether a media query matches, and whether an
// element has been scrolled up past the top of the page (behind the sticky header). Both stop listening when the
// component that asked goes away.
import { onScopeDispose, readonly, ref, watch, type Ref } from 'vue'

/** Whether `query` matches now, kept up to date (false where the browser cannot tell). */
export function useMediaQuery(query: string): Readonly<Ref<boolean>> {
  const matches = ref(false)
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return readonly(matches)
  const list = window.matchMedia(query)
  matches.value = list.matches
  const update = (event: MediaQueryListEvent) => {
    matches.value = event.matches
  }
  list.addEventListener('change', update)
  onScopeDispose(() => list.removeEventListener('change', update))
  return readonly(matches)
}

/**
 * Whether the element `target` holds has scrolled up out of view: above the viewport's top, or hidden under the
 * sticky header (whose height the page states as `scroll-padding-top`). An element not yet reached (below the
 * fold) is not past. Follows `target` when it is replaced by another element.
 */
export function useScrolledPast(target: Readonly<Ref<Element | null | undefined>>): Readonly<Ref<boolean>> {
  const past = ref(false)
  if (typeof IntersectionObserver !== 'function') return readonly(past)
  let observer: IntersectionObserver | null = null
  watch(
    target,
    (element) => {
      observer?.disconnect()
      past.value = false
      if (!element) return
      const header = getComputedStyle(document.documentElement).scrollPaddingTop
      observer = new IntersectionObserver(
        (entries) => {
          const entry = entries.at(-1)
          if (!entry) return
          const top = entry.rootBounds?.top ?? 0
          past.value = !entry.isIntersecting && entry.boundingClientRect.bottom <= top
        },
        { rootMargin: `-${/^\d+(\.\d+)?px$/.test(header) ? header : '0px'} 0px 0px 0px` },
      )
      observer.observe(element)
    },
    { immediate: true, flush: 'post' },
  )
  onScopeDispose(() => observer?.disconnect())
  return readonly(past)
}
