// What merging this browser's cart into the account's could not keep, as the cart page says it: one sentence per
// line ("3 × Phone were kept instead of 5: at most 10 per product.").
import type { MergeNote } from '../api/account'

/** `what` names the product (its name when the cart shows it, else its SKU); `maxQuantity` is the cart's limit. */
export function mergeNoteText(note: MergeNote, what: string, maxQuantity: number): string {
  const why =
    note.reason === 'quantity_limit'
      ? `: at most ${maxQuantity} per product`
      : note.reason === 'line_limit'
        ? ': your cart holds as many different products as it can'
        : '' // a reason added by a newer checkout
  if (note.kept === 0) return `${note.requested} × ${what} could not be added${why}.`
  return `${note.kept} × ${what} ${note.kept === 1 ? 'was' : 'were'} kept instead of ${note.requested}${why}.`
}
