//! What the contexts share: input values (money, decisions, periods) and output values and enums.

pub mod inputs;
pub mod types;

/// Every item of `items` as its GraphQL output type.
pub(crate) fn all<'a, S: 'a, T: From<&'a S>>(items: impl IntoIterator<Item = &'a S>) -> Vec<T> {
    items.into_iter().map(T::from).collect()
}

/// A GraphQL output type made from a read-side value: each field is written
/// once, with the expression that makes it from the source (`$src`), and the
/// macro writes the struct (with its attributes and docs) and its
/// `From<&Source>`.
///
/// ```text
/// output_from! {
///     /// A span of dates.
///     #[derive(SimpleObject, Clone, Debug)]
///     pub struct Period from p: &d::Period {
///         pub start: Date = p.start.into(),
///         pub end: Option<Date> = p.end.map(Date),
///     }
/// }
/// ```
macro_rules! output_from {
    (
        $(#[$meta:meta])*
        pub struct $name:ident from $src:ident: &$source:ty {
            $($(#[$field_meta:meta])* pub $field:ident: $ty:ty = $value:expr,)*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: $ty,)*
        }

        impl From<&$source> for $name {
            fn from($src: &$source) -> Self {
                $name {
                    $($field: $value,)*
                }
            }
        }
    };
}
pub(crate) use output_from;
