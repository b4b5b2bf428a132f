import { describe, expect, it } from 'vitest'
import { SHOP_DESCRIPTION, clip, setTitle } from '../src/lib/title'

describe('page titles and descriptions', () => {
  it('names the page and describes it, or falls back to the shop', () => {
    setTitle('Garden Spade', 'A spade.')
    expect(document.title).toBe('Garden Spade · Shop')
    expect(document.querySelector('meta[name="description"]')?.getAttribute('content')).toBe('A spade.')
    setTitle()
    expect(document.title).toBe('Shop')
    expect(document.querySelector('meta[name="description"]')?.getAttribute('content')).toBe(SHOP_DESCRIPTION)
  })

  it('clips long descriptions at a word on one line', () => {
    const long = `${'word '.repeat(60)}\nend`
    const clipped = clip(long)
    expect(clipped.length).toBeLessThanOrEqual(160)
    expect(clipped.endsWith('word…')).toBe(true)
    expect(clipped).not.toContain('\n')
    expect(clip('short  text\n')).toBe('short text')
  })
})
