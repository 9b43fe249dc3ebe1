//! Lookups and the list of consortia.

use samverkan_domain as d;

use crate::inputs::ConsortiumFilter;
use crate::scalars::ConsortiumCode;
use crate::types::*;

crate::query::read_fields! {
    ConsortiumQuery {
        /// One consortium.
        one fn consortium(ctx, at, code: ConsortiumCode) -> Consortium {
            at.find(ctx, "consortium", &code.0, |m| {
                m.consortium_on(&code.0, at.as_of, at.valid).map(|v| Consortium::from(&v))
            })
            .await
        }

        /// All consortia, ordered by code.
        list fn consortia(ctx, at, filter: Option<ConsortiumFilter>) -> Consortium {
            let f = filter.unwrap_or_default();
            let kind: Option<d::consortium::ConsortiumKind> = f.kind.map(Into::into);
            at.read(ctx, |m| {
                m.consortium_codes()
                    .iter()
                    .filter_map(|c| m.consortium_on(c, at.as_of, at.valid))
                    .filter(|c| f.member.as_ref().is_none_or(|x| c.is_member(&x.0)))
                    .filter(|c| kind.is_none_or(|k| c.kind == k))
                    .filter(|c| f.include_dissolved.unwrap_or(true) || c.dissolved_on.is_none())
                    .map(|v| (v.code.to_string(), Consortium::from(&v)))
                    .collect()
            })
            .await?
        }
    }
}
