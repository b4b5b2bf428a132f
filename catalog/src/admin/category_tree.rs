//! The rules of the category tree, without I/O: display order, subtrees, where a renamed or moved subtree's
//! categories land (path, depth, slug), and which ancestor links a product needs.
//!
//! A category's slug is the path of names from the root (see `db::categories::slug_of_path`) and its `path` the
//! ids from the root: a rename changes the slugs of the whole subtree, a move its slugs, paths and depths. A
//! product is linked to each category it was put in (direct) and to every ancestor of those (so that a category
//! page lists its descendants' products with one equality): after a move, those ancestor links follow.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use platform::contracts::catalog_admin::categories::MAX_DEPTH;

use crate::db::{
    categories::slug_of_path,
    category_admin::{CategoryRow, Link},
};

/// Why a subtree cannot go where it was asked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Misplaced {
    UnknownParent,
    /// Under the category itself or one of its descendants: a cycle.
    UnderItself,
    /// Its deepest category would sit below [`MAX_DEPTH`].
    TooDeep,
}

/// Every category, with each one's children in display order (by name, ignoring case).
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    by_id: HashMap<u32, CategoryRow>,
    children: HashMap<Option<u32>, Vec<u32>>,
}

impl Tree {
    pub(crate) fn new(rows: Vec<CategoryRow>) -> Self {
        let mut children: HashMap<Option<u32>, Vec<u32>> = HashMap::new();
        for row in &rows {
            children.entry(row.parent_id).or_default().push(row.id);
        }
        let by_id: HashMap<u32, CategoryRow> = rows.into_iter().map(|row| (row.id, row)).collect();
        for siblings in children.values_mut() {
            siblings.sort_by_cached_key(|id| (by_id[id].name.to_lowercase(), *id));
        }
        Self { by_id, children }
    }

    pub(crate) fn get(&self, id: u32) -> Option<&CategoryRow> {
        self.by_id.get(&id)
    }

    /// How many direct subcategories `id` has.
    pub(crate) fn children_count(&self, id: u32) -> u32 {
        self.children.get(&Some(id)).map_or(0, |c| c.len() as u32)
    }

    /// Every category depth first, siblings by name: a category's descendants follow it.
    pub(crate) fn in_display_order(&self) -> Vec<&CategoryRow> {
        let mut out = Vec::with_capacity(self.by_id.len());
        self.walk(None, &mut out);
        out
    }

    /// `id` and its descendants, depth first (empty for an unknown id).
    pub(crate) fn subtree(&self, id: u32) -> Vec<&CategoryRow> {
        let Some(root) = self.get(id) else {
            return Vec::new();
        };
        let mut out = vec![root];
        self.walk(Some(id), &mut out);
        out
    }

    fn walk<'a>(&'a self, parent: Option<u32>, out: &mut Vec<&'a CategoryRow>) {
        for id in self.children.get(&parent).into_iter().flatten() {
            out.push(&self.by_id[id]);
            self.walk(Some(*id), out);
        }
    }

    /// The names from the root to `id`, inclusive.
    pub(crate) fn names_of(&self, id: u32) -> Vec<String> {
        self.get(id)
            .map(|row| {
                row.path
                    .iter()
                    .filter_map(|id| self.get(*id))
                    .map(|c| c.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The subtree of `id` as it is once `id` is named `name` and sits under `parent` (a root without it):
    /// every category's parent, name, slug, path and depth, root first. Versions are left as they are. A
    /// category may not go deeper than [`MAX_DEPTH`], unless it was already (a rename never fails for depth).
    pub(crate) fn placed(
        &self,
        id: u32,
        parent: Option<u32>,
        name: &str,
    ) -> Result<Vec<CategoryRow>, Misplaced> {
        let (base_path, base_names) = match parent {
            Some(parent) => {
                let parent_row = self.get(parent).ok_or(Misplaced::UnknownParent)?;
                if parent_row.path.contains(&id) {
                    return Err(Misplaced::UnderItself);
                }
                (parent_row.path.clone(), self.names_of(parent))
            }
            None => (Vec::new(), Vec::new()),
        };
        let subtree = self.subtree(id);
        let Some(root) = subtree.first() else {
            return Ok(Vec::new());
        };
        // Where the subtree's own part of each path starts.
        let cut = root.path.len() - 1;
        subtree
            .iter()
            .map(|row| {
                let mut path = base_path.clone();
                path.extend_from_slice(&row.path[cut..]);
                let depth = path.len() - 1;
                // Only a category that goes deeper than it was is refused: an imported tree may be deeper.
                if depth > usize::from(MAX_DEPTH) && depth > usize::from(row.depth) {
                    return Err(Misplaced::TooDeep);
                }
                let mut names = base_names.clone();
                names.extend(row.path[cut..].iter().map(|part| {
                    if *part == id {
                        name.to_owned()
                    } else {
                        self.by_id[part].name.clone()
                    }
                }));
                Ok(CategoryRow {
                    id: row.id,
                    parent_id: if row.id == id { parent } else { row.parent_id },
                    name: if row.id == id {
                        name.to_owned()
                    } else {
                        row.name.clone()
                    },
                    slug: slug_of_path(&names),
                    path,
                    depth: depth as u8,
                    version: row.version,
                })
            })
            .collect()
    }

    /// The tree with `rows` in place of the categories of the same ids.
    pub(crate) fn with(&self, rows: &[CategoryRow]) -> Self {
        let mut all = self.by_id.clone();
        for row in rows {
            all.insert(row.id, row.clone());
        }
        Self::new(all.into_values().collect())
    }
}

/// Link changes for some products, by category: the products to link to it, and those to unlink from it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Relinks {
    pub(crate) insert: BTreeMap<u32, Vec<u32>>,
    pub(crate) delete: BTreeMap<u32, Vec<u32>>,
}

/// What makes `links` (every link of some products) right for `tree`: each product linked to the categories
/// it was put in and to every ancestor of those, and to nothing else.
pub(crate) fn relinks(tree: &Tree, links: &[Link]) -> Relinks {
    let mut existing: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    let mut needed: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for link in links {
        existing
            .entry(link.product_id)
            .or_default()
            .insert(link.category_id);
        let needs = needed.entry(link.product_id).or_default();
        if link.direct {
            needs.insert(link.category_id);
            if let Some(category) = tree.get(link.category_id) {
                needs.extend(category.path.iter().copied());
            }
        }
    }
    let mut relinks = Relinks::default();
    for (product, has) in &existing {
        let needs = &needed[product];
        for category in needs.difference(has) {
            relinks.insert.entry(*category).or_default().push(*product);
        }
        for category in has.difference(needs) {
            relinks.delete.entry(*category).or_default().push(*product);
        }
    }
    relinks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u32, parent: Option<u32>, name: &str, path: &[u32]) -> CategoryRow {
        let names: Vec<String> = vec![name.to_owned()];
        CategoryRow {
            id,
            parent_id: parent,
            name: name.to_owned(),
            slug: slug_of_path(&names),
            path: path.to_vec(),
            depth: (path.len() - 1) as u8,
            version: 1,
        }
    }

    /// Home(1) > Kitchen(2) > Knives(3); Garden(4); home > bath(5)
    fn shop() -> Tree {
        Tree::new(vec![
            row(1, None, "Home", &[1]),
            row(2, Some(1), "Kitchen", &[1, 2]),
            row(3, Some(2), "Knives", &[1, 2, 3]),
            row(4, None, "Garden", &[4]),
            row(5, Some(1), "bath", &[1, 5]),
        ])
    }

    fn ids(rows: &[&CategoryRow]) -> Vec<u32> {
        rows.iter().map(|row| row.id).collect()
    }

    #[test]
    fn the_tree_shows_each_category_before_its_descendants_and_siblings_by_name() {
        assert_eq!(ids(&shop().in_display_order()), [4, 1, 5, 2, 3]);
        assert_eq!(ids(&shop().subtree(1)), [1, 5, 2, 3]);
        assert_eq!(shop().children_count(1), 2);
    }

    #[test]
    fn a_moved_subtree_takes_its_new_parents_path_and_slugs() {
        let placed = shop().placed(2, Some(4), "Kitchen").unwrap();
        assert_eq!(placed.len(), 2);
        assert_eq!(placed[0].parent_id, Some(4));
        assert_eq!(placed[0].path, [4, 2]);
        assert_eq!(placed[0].slug, "garden--kitchen");
        assert_eq!(placed[1].parent_id, Some(2));
        assert_eq!(placed[1].path, [4, 2, 3]);
        assert_eq!(placed[1].depth, 2);
        assert_eq!(placed[1].slug, "garden--kitchen--knives");
    }

    #[test]
    fn a_renamed_category_renames_its_descendants_slugs() {
        let placed = shop().placed(1, None, "House & Home").unwrap();
        let slugs: Vec<&str> = placed.iter().map(|row| row.slug.as_str()).collect();
        assert_eq!(
            slugs,
            [
                "house-home",
                "house-home--bath",
                "house-home--kitchen",
                "house-home--kitchen--knives"
            ]
        );
    }

    #[test]
    fn a_category_cannot_move_under_itself_or_its_descendants() {
        assert_eq!(
            shop().placed(1, Some(1), "Home"),
            Err(Misplaced::UnderItself)
        );
        assert_eq!(
            shop().placed(1, Some(3), "Home"),
            Err(Misplaced::UnderItself)
        );
        assert_eq!(
            shop().placed(1, Some(99), "Home"),
            Err(Misplaced::UnknownParent)
        );
    }

    #[test]
    fn a_move_too_deep_is_refused() {
        let mut rows = vec![row(1, None, "L0", &[1])];
        let mut path = vec![1];
        for id in 2..=u32::from(MAX_DEPTH) + 1 {
            path.push(id);
            rows.push(row(id, Some(id - 1), &format!("L{id}"), &path));
        }
        rows.push(row(100, None, "Other", &[100]));
        rows.push(row(101, Some(100), "Child", &[100, 101]));
        let tree = Tree::new(rows.clone());
        let deepest = u32::from(MAX_DEPTH) + 1;
        // Other and its child take two levels.
        assert!(tree.placed(100, Some(deepest - 2), "Other").is_ok());
        assert_eq!(
            tree.placed(100, Some(deepest - 1), "Other"),
            Err(Misplaced::TooDeep)
        );
        // An imported tree deeper than that can still be renamed.
        let mut deeper = path.clone();
        deeper.push(200);
        rows.push(row(200, Some(deepest), "Deepest", &deeper));
        let tree = Tree::new(rows);
        assert!(tree.placed(1, None, "Top").is_ok());
    }

    #[test]
    fn products_follow_their_categories_ancestors_and_keep_links_other_categories_need() {
        // Kitchen moved under Garden: Garden(4) > Kitchen(2) > Knives(3).
        let tree = shop().with(&shop().placed(2, Some(4), "Kitchen").unwrap());
        let link = |product_id, category_id, direct| Link {
            product_id,
            category_id,
            direct,
        };
        let links = [
            // Product 10 is in Knives only.
            link(10, 1, false),
            link(10, 2, false),
            link(10, 3, true),
            // Product 11 is in Knives and in Bath, which keeps it under Home.
            link(11, 1, false),
            link(11, 2, false),
            link(11, 3, true),
            link(11, 5, true),
        ];
        let relinks = relinks(&tree, &links);
        assert_eq!(relinks.insert, BTreeMap::from([(4, vec![10, 11])]));
        assert_eq!(relinks.delete, BTreeMap::from([(1, vec![10])]));
    }
}
