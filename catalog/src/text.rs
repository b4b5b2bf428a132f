//! Text handling shared by indexing and querying: one normalization (accents folded, lowercase, split on
//! anything not a letter or digit), the prefixes stored for search-as-you-type, relevance scoring of a
//! candidate against a query, and HTML-safe highlighting. Pure functions: the product writes in `db` and the
//! search engines in `search` both use them, so they sit below both.

use crate::domain::fold_char;

/// Longest prefix stored per word; longer typed words are looked up by their first `MAX_PREFIX` characters
/// and checked in full when ranking.
pub const MAX_PREFIX: usize = 20;

/// The normalized words of `text`, in order.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars().flat_map(fold_char) {
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The first `n` characters of `word`.
pub fn prefix_of(word: &str, n: usize) -> &str {
    match word.char_indices().nth(n) {
        Some((at, _)) => &word[..at],
        None => word,
    }
}

/// Every prefix (1 to [`MAX_PREFIX`] characters) of every word of `text`, without repeats.
pub fn index_prefixes(text: &str, into: &mut std::collections::BTreeSet<String>) {
    for word in words(text) {
        for n in 1..=word.chars().count().min(MAX_PREFIX) {
            into.insert(prefix_of(&word, n).to_owned());
        }
    }
}

/// A parsed search query. The last word is a prefix while the shopper is still typing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<String>,
    /// The query ended with a space (or punctuation): the last term is complete.
    pub last_is_complete: bool,
}

impl Query {
    pub fn parse(text: &str, max_terms: usize) -> Self {
        let mut terms = words(text);
        terms.truncate(max_terms);
        let last_is_complete = text.chars().last().is_some_and(|c| !c.is_alphanumeric());
        Self {
            terms,
            last_is_complete,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Term `i` may match a longer word (only the last one, while being typed).
    pub fn is_prefix(&self, i: usize) -> bool {
        i + 1 == self.terms.len() && !self.last_is_complete
    }

    /// The distinct index keys to look up, one per term.
    pub fn lookup_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .terms
            .iter()
            .map(|term| prefix_of(term, MAX_PREFIX).to_owned())
            .collect();
        keys.dedup();
        keys
    }
}

/// How well a product's name and brand match the query; higher is better. Popularity breaks ties elsewhere.
pub fn relevance(query: &Query, name: &str, brand: &str) -> u32 {
    let name_words = words(name);
    let brand_words = words(brand);
    let mut score = 0;
    let mut matched_in_name = 0;
    let mut positions = Vec::with_capacity(query.terms.len());
    for (i, term) in query.terms.iter().enumerate() {
        // Complete terms still match longer words ("tv" finds "tvs"), but an exact word scores more.
        let exact_at = name_words.iter().position(|word| word == term);
        let prefix_at = name_words
            .iter()
            .position(|word| word.starts_with(term.as_str()));
        let term_score = match (exact_at, prefix_at) {
            (Some(at), _) => {
                positions.push(at);
                matched_in_name += 1;
                if query.is_prefix(i) { 9 } else { 10 }
            }
            (None, Some(at)) => {
                positions.push(at);
                matched_in_name += 1;
                if query.is_prefix(i) { 8 } else { 6 }
            }
            (None, None) if brand_words.iter().any(|word| word == term) => 5,
            (None, None)
                if brand_words
                    .iter()
                    .any(|word| word.starts_with(term.as_str())) =>
            {
                4
            }
            // Matched only in the description (FULLTEXT).
            (None, None) => 1,
        };
        score += term_score * 10;
    }
    // Query words in the same order, side by side, as in the name: the shopper typed (part of) the name.
    let in_sequence = positions
        .windows(2)
        .filter(|pair| pair[1] == pair[0] + 1)
        .count() as u32;
    score += in_sequence * 15;
    if positions.first() == Some(&0) {
        score += 10;
    }
    // Of two names that both contain every query word, the one with fewer other words is the closer match.
    if !name_words.is_empty() {
        score += 30 * matched_in_name / name_words.len() as u32;
    }
    score
}

/// `text` HTML-escaped, with the parts of words that match query terms wrapped in `<mark>`.
pub fn highlight(text: &str, query: &Query) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut word = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush_word(&mut out, &mut word, query);
            escape_into(&mut out, c);
        }
    }
    flush_word(&mut out, &mut word, query);
    out
}

fn flush_word(out: &mut String, word: &mut String, query: &Query) {
    if word.is_empty() {
        return;
    }
    let folded: String = word
        .chars()
        .flat_map(fold_char)
        .flat_map(char::to_lowercase)
        .collect();
    let matched = query
        .terms
        .iter()
        .filter(|term| folded.starts_with(term.as_str()))
        .map(|term| term.chars().count())
        .max();
    match matched {
        Some(len) => {
            // Folding can change the length (ß -> ss); never cut past the word.
            let len = len.min(word.chars().count());
            let split = word
                .char_indices()
                .nth(len)
                .map_or(word.len(), |(at, _)| at);
            out.push_str("<mark>");
            word[..split].chars().for_each(|c| escape_into(out, c));
            out.push_str("</mark>");
            word[split..].chars().for_each(|c| escape_into(out, c));
        }
        None => word.chars().for_each(|c| escape_into(out, c)),
    }
    word.clear();
}

/// `text` HTML-escaped, with the spans between `open` and `close` (markers an engine put around its matches)
/// wrapped in `<mark>`.
pub fn highlight_marked(text: &str, open: char, close: char) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            c if c == open => out.push_str("<mark>"),
            c if c == close => out.push_str("</mark>"),
            c => escape_into(&mut out, c),
        }
    }
    out
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        _ => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_markers_become_marks_around_escaped_text() {
        assert_eq!(
            highlight_marked("\u{e000}Sam\u{e001}sung <TV> & co", '\u{e000}', '\u{e001}'),
            "<mark>Sam</mark>sung &lt;TV&gt; &amp; co"
        );
    }

    #[test]
    fn words_are_folded_lowercased_and_split_on_punctuation() {
        assert_eq!(
            words("Samsung - 65\" Class QLED 4K/UHD Café"),
            ["samsung", "65", "class", "qled", "4k", "uhd", "cafe"]
        );
    }

    #[test]
    fn every_prefix_of_every_word_is_indexed_once() {
        let mut prefixes = std::collections::BTreeSet::new();
        index_prefixes("TV tv", &mut prefixes);
        assert_eq!(prefixes.into_iter().collect::<Vec<_>>(), ["t", "tv"]);
    }

    #[test]
    fn only_the_last_term_of_an_unfinished_query_is_a_prefix() {
        let query = Query::parse("apple iph", 8);
        assert!(!query.is_prefix(0));
        assert!(query.is_prefix(1));
        assert!(!Query::parse("apple iphone ", 8).is_prefix(1));
    }

    #[test]
    fn the_exact_name_outranks_longer_names_containing_it() {
        let query = Query::parse("Apple AirPods", 8);
        let exact = relevance(&query, "Apple AirPods", "Apple");
        let longer = relevance(
            &query,
            "Apple AirPods with Wireless Charging Case - White",
            "Apple",
        );
        let scattered = relevance(&query, "Case for Apple iPhone and AirPods", "Otterbox");
        assert!(exact > longer, "{exact} > {longer}");
        assert!(longer > scattered, "{longer} > {scattered}");
    }

    #[test]
    fn highlights_mark_matched_prefixes_and_escape_html() {
        let query = Query::parse("sam <b", 8);
        assert_eq!(
            highlight("Samsung <b>Galaxy</b>", &query),
            "<mark>Sam</mark>sung &lt;<mark>b</mark>&gt;Galaxy&lt;/<mark>b</mark>&gt;"
        );
        assert_eq!(
            highlight("Crème brûlée", &Query::parse("creme", 8)),
            "<mark>Crème</mark> brûlée"
        );
    }
}
