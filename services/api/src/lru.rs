//! A small bounded map for the API's caches (parsed documents, query
//! responses, verified tokens).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// A bounded map dropping the least recently used quarter when full.
pub(crate) struct Lru<K, V> {
    capacity: usize,
    tick: u64,
    map: HashMap<K, (V, u64)>,
}

impl<K: Hash + Eq + Clone, V: Clone> Lru<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            tick: 0,
            map: HashMap::new(),
        }
    }

    pub(crate) fn get<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.tick += 1;
        let tick = self.tick;
        self.map.get_mut(key).map(|(v, used)| {
            *used = tick;
            v.clone()
        })
    }

    /// The value under `key` to change in place (not counted as a use).
    pub(crate) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get_mut(key).map(|(v, _)| v)
    }

    pub(crate) fn put(&mut self, key: K, value: V) {
        self.tick += 1;
        if self.map.len() >= self.capacity && !self.map.contains_key(&key) {
            let mut by_age: Vec<(u64, K)> = self.map.iter().map(|(k, (_, used))| (*used, k.clone())).collect();
            by_age.sort_unstable_by_key(|(used, _)| *used);
            for (_, k) in by_age.into_iter().take((self.capacity / 4).max(1)) {
                self.map.remove(&k);
            }
        }
        self.map.insert(key, (value, self.tick));
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Drop the entry under `key`, if any.
    pub(crate) fn remove<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lru_stays_within_its_capacity_and_keeps_what_is_used() {
        let mut lru = Lru::new(8);
        lru.put(0, "kept");
        for i in 1..100 {
            assert_eq!(lru.get(&0), Some("kept"));
            lru.put(i, "other");
            assert!(lru.len() <= 8);
        }
    }
}
