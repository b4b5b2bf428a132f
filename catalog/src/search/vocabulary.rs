//! "Did you mean": the words of the catalog's own product names and brands, with how many active products use
//! each, and the closest known spelling of a word that matches nothing.
//!
//! Built from the database when a search first needs it and again when it is older than [`MAX_AGE`] (one
//! build at a time; the others wait for it): a new product's words are suggested within minutes. A
//! suggestion costs one pass over the known words of nearly the same length, each compared by a banded edit
//! distance that gives up past the allowed number of edits: well under a millisecond for the real catalogs'
//! tens of thousands of words, and bounded by their number whatever is typed.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use sqlx::MySqlPool;
use tokio::sync::Mutex;

use crate::text::{Query, words};

/// How long a built vocabulary is used before it is built again.
pub const MAX_AGE: Duration = Duration::from_secs(300);
/// Terms longer than this are not corrected (model numbers, pasted text).
const MAX_WORD_CHARS: usize = 24;

/// The catalog's words; clones share them.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    built: Arc<Mutex<Option<Built>>>,
}

/// Words and when they were read.
type Built = (Instant, Arc<Words>);

/// Words by their length in characters, each with the number of active products whose name or brand holds it.
#[derive(Debug, Default)]
pub struct Words {
    by_length: HashMap<usize, Vec<(String, u32)>>,
}

impl Vocabulary {
    /// The words, built now when there are none yet or they are older than [`MAX_AGE`].
    pub async fn words(&self, pool: &MySqlPool) -> Result<Arc<Words>, sqlx::Error> {
        let mut built = self.built.lock().await;
        if let Some((at, words)) = built.as_ref()
            && at.elapsed() < MAX_AGE
        {
            return Ok(words.clone());
        }
        let words = Arc::new(Words::load(pool).await?);
        *built = Some((Instant::now(), words.clone()));
        Ok(words)
    }
}

impl Words {
    async fn load(pool: &MySqlPool) -> Result<Self, sqlx::Error> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT name, brand FROM products WHERE status = 'active'")
                .fetch_all(pool)
                .await?;
        Ok(Self::from_texts(
            rows.iter().map(|(name, brand)| format!("{name} {brand}")),
        ))
    }

    /// The words of `texts` (one per product), each counted once per text.
    pub fn from_texts(texts: impl IntoIterator<Item = String>) -> Self {
        let mut counts: HashMap<String, u32> = HashMap::new();
        for text in texts {
            let mut seen = words(&text);
            seen.sort_unstable();
            seen.dedup();
            for word in seen {
                *counts.entry(word).or_default() += 1;
            }
        }
        let mut by_length: HashMap<usize, Vec<(String, u32)>> = HashMap::new();
        for (word, count) in counts {
            by_length
                .entry(word.chars().count())
                .or_default()
                .push((word, count));
        }
        // Most used first: of equally close spellings the first found is kept.
        for list in by_length.values_mut() {
            list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
        Self { by_length }
    }

    fn knows(&self, term: &str, prefix: bool) -> bool {
        let chars = term.chars().count();
        if !prefix {
            let spelt = |term: &str| {
                self.by_length
                    .get(&term.chars().count())
                    .is_some_and(|list| list.iter().any(|(word, _)| word == term))
            };
            // A plural of a word the catalog uses singular ("headphones") is known: search finds it.
            return spelt(term) || crate::text::singular(term).is_some_and(|one| spelt(&one));
        }
        self.by_length
            .iter()
            .filter(|(length, _)| **length >= chars)
            .any(|(_, list)| list.iter().any(|(word, _)| word.starts_with(term)))
    }

    /// The query with each word the catalog does not know replaced by its closest known spelling, or `None`
    /// when every word is known or an unknown one has no spelling close enough (one edit for words of up to
    /// four letters, two for longer ones; digits are never corrected).
    pub fn suggest(&self, query: &Query) -> Option<String> {
        let mut changed = false;
        let mut corrected = Vec::with_capacity(query.terms.len());
        for (i, term) in query.terms.iter().enumerate() {
            if self.knows(term, query.is_prefix(i)) {
                corrected.push(term.clone());
                continue;
            }
            let chars = term.chars().count();
            if !(3..=MAX_WORD_CHARS).contains(&chars) || term.chars().any(|c| c.is_ascii_digit()) {
                return None;
            }
            corrected.push(self.closest(term)?);
            changed = true;
        }
        changed.then(|| corrected.join(" "))
    }

    /// The known word closest to `term` within its allowed edits (fewest edits, then most used).
    fn closest(&self, term: &str) -> Option<String> {
        let term: Vec<char> = term.chars().collect();
        let allowed = if term.len() <= 4 { 1 } else { 2 };
        let mut best: Option<(usize, u32, &str)> = None;
        for length in term.len().saturating_sub(allowed)..=term.len() + allowed {
            for (word, count) in self.by_length.get(&length).into_iter().flatten() {
                let limit = best.map_or(allowed, |(edits, _, _)| edits);
                let Some(edits) = edits_within(&term, word, limit) else {
                    continue;
                };
                let better = best.is_none_or(|(best_edits, best_count, _)| {
                    edits < best_edits || (edits == best_edits && *count > best_count)
                });
                if better {
                    best = Some((edits, *count, word));
                }
            }
        }
        best.map(|(_, _, word)| word.to_owned())
    }
}

/// The edits (insertions, deletions, substitutions, swaps of neighbours) from `a` to `b`, if at most `limit`.
pub(crate) fn edits_within(a: &[char], b: &str, limit: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // Optimal string alignment distance, three rows, stopping once a whole row is past the limit.
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![usize::MAX / 2; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current = vec![0; width];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(before[j - 2] + 1);
            }
            current[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let edits = previous[b.len()];
    (edits <= limit).then_some(edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Words {
        Words::from_texts(
            [
                "Sony WH-1000XM5 Wireless Headphones Sony",
                "Bose QuietComfort Headphones Bose",
                "Apple iPhone 15 Apple",
                "Apple iPhone 15 Pro Apple",
                "Samsung Galaxy S24 Samsung",
                "Anker Charger Anker",
            ]
            .map(String::from),
        )
    }

    fn suggest(words: &Words, q: &str) -> Option<String> {
        words.suggest(&Query::parse(q, 32))
    }

    #[test]
    fn a_misspelt_word_is_corrected_to_the_catalogs_own_spelling() {
        let words = catalog();
        assert_eq!(suggest(&words, "headphnes "), Some("headphones".into()));
        assert_eq!(
            suggest(&words, "sony headphnes"),
            Some("sony headphones".into())
        );
        assert_eq!(
            suggest(&words, "iphnoe"),
            Some("iphone".into()),
            "a swap is one edit"
        );
        assert_eq!(suggest(&words, "galxy s24"), Some("galaxy s24".into()));
    }

    #[test]
    fn known_words_prefixes_and_hopeless_words_get_no_suggestion() {
        let words = catalog();
        assert_eq!(suggest(&words, "headphones"), None, "known");
        assert_eq!(suggest(&words, "headph"), None, "a prefix being typed");
        assert_eq!(suggest(&words, "xylophone"), None, "nothing close");
        assert_eq!(
            suggest(&words, "iphone 16"),
            None,
            "digits are not corrected"
        );
        assert_eq!(suggest(&words, "samsung tv"), None, "too short to guess");
    }

    #[test]
    fn edits_are_counted_and_cut_at_the_limit() {
        let a: Vec<char> = "headphnes".chars().collect();
        assert_eq!(edits_within(&a, "headphones", 2), Some(1));
        assert_eq!(edits_within(&a, "headphones", 0), None);
        let b: Vec<char> = "ca".chars().collect();
        assert_eq!(edits_within(&b, "ac", 1), Some(1));
        assert_eq!(edits_within(&b, "abc", 1), None, "two edits");
    }
}
