//! Append-only storage in fixed-size chunks: no reallocation (no copy of
//! what is there, no doubled capacity left unused), at most one partly
//! filled chunk.

/// Values of `T` in chunks of `CAP`; a slice pushed at once stays contiguous.
#[derive(Debug, Clone)]
pub(crate) struct Chunks<T, const CAP: usize> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T, const CAP: usize> Default for Chunks<T, CAP> {
    fn default() -> Self {
        Self { chunks: vec![], len: 0 }
    }
}

/// Where a pushed slice is: chunk and offset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    pub chunk: u32,
    pub offset: u32,
}

impl<T: Copy, const CAP: usize> Chunks<T, CAP> {
    /// Bytes held (capacity, not only what is used).
    pub fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.capacity()).sum::<usize>() * std::mem::size_of::<T>()
            + self.chunks.capacity() * std::mem::size_of::<Vec<T>>()
    }

    /// Values pushed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Append `values` contiguously: in the last chunk if they fit, else in a
    /// new one (of `CAP`, or of their length if longer).
    pub fn push_slice(&mut self, values: &[T]) -> Place {
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= values.len());
        if !fits {
            self.chunks.push(Vec::with_capacity(CAP.max(values.len())));
        }
        let chunk = self.chunks.len() - 1;
        let last = &mut self.chunks[chunk];
        let offset = last.len();
        last.extend_from_slice(values);
        self.len += values.len();
        Place {
            chunk: chunk as u32,
            offset: offset as u32,
        }
    }

    /// The `len` values pushed at `place`.
    pub fn slice(&self, place: Place, len: usize) -> &[T] {
        self.chunks
            .get(place.chunk as usize)
            .and_then(|c| c.get(place.offset as usize..place.offset as usize + len))
            .unwrap_or(&[])
    }

    /// The place of a pushed slice as one index (`chunk × CAP + offset`):
    /// exact for slices of at most `CAP` values (they fill chunks of `CAP`).
    pub fn index(&self, place: Place) -> u32 {
        (place.chunk as usize * CAP + place.offset as usize) as u32
    }

    /// The `len` values pushed at `index` ([`Chunks::index`]).
    pub fn slice_at(&self, index: u32, len: usize) -> &[T] {
        let index = index as usize;
        self.slice(
            Place {
                chunk: (index / CAP) as u32,
                offset: (index % CAP) as u32,
            },
            len,
        )
    }

    /// Append one value; its index is [`Chunks::len`] before the push.
    pub fn push(&mut self, value: T) {
        self.push_slice(std::slice::from_ref(&value));
    }

    /// The `i`-th value pushed with [`Chunks::push`] (only single values in this store).
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CAP)?.get(i % CAP)
    }
}
