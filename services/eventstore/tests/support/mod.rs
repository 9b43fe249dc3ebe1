//! Test support shared by the event store's test binaries (each includes it
//! with `mod support;`): the conformance suite instantiated for a store
//! factory, the group-commit scenarios every backend runs, and the driver for
//! child processes (SIGKILL crash tests, racing processes).
// Each test binary uses only part of it.
#![allow(dead_code)]

pub mod child;
pub mod scenarios;

/// The conformance suite as tests: one `#[tokio::test]` per case, each on a
/// store of its own, and `run_all_on_one_store`. `$fresh` is an async
/// function `fn(case: &str) -> Option<(guard, Store)>`: the guard lives as
/// long as the test (a temporary directory, say); `None` skips the test
/// (the factory decides, e.g. no PostgreSQL server outside CI).
#[allow(unused_macros)]
macro_rules! conformance_suite {
    ($fresh:path) => {
        $crate::support::conformance_suite!(@cases $fresh;
            concurrent_exact_appends,
            idempotent_retry,
            expected_version_rules,
            read_stream_directions,
            global_order,
            subscription_sees_everything_once,
            subscription_from_the_middle,
            metadata_round_trip,
            event_ids_unique_across_the_store,
            invalid_appends,
            import_keeps_the_envelope,
            import_refuses_what_does_not_continue,
            import_refuses_ids_stored_already,
            chain_links_every_event,
            checkpoints_are_recorded,
        );

        /// All cases against one shared store, as they run against a shared server.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn run_all_on_one_store() {
            let Some((_guard, store)) = $fresh("run_all").await else {
                return;
            };
            ::samverkan_eventstore::conformance::run_all(store).await;
        }
    };
    (@cases $fresh:path; $($case:ident,)*) => {
        /// The tests above cover every case of the suite: a case added to
        /// `conformance::CASES` without a test here fails this.
        #[test]
        fn every_conformance_case_has_a_test() {
            assert_eq!(
                [$(stringify!($case)),*].as_slice(),
                ::samverkan_eventstore::conformance::CASES,
            );
        }

        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some((_guard, store)) = $fresh(stringify!($case)).await else {
                    return;
                };
                let ns = ::samverkan_eventstore::conformance::namespace(stringify!($case));
                ::samverkan_eventstore::conformance::$case(store, &ns).await;
            }
        )*
    };
}
#[allow(unused_imports)]
pub(crate) use conformance_suite;

/// The scenarios of [`scenarios`] that need nothing but a store, as tests:
/// one `#[tokio::test]` per name, each on a store of its own from `$fresh`
/// (as for [`conformance_suite`]).
#[allow(unused_macros)]
macro_rules! scenario_tests {
    ($fresh:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some((_guard, store)) = $fresh(stringify!($case)).await else {
                    return;
                };
                $crate::support::scenarios::$case(store).await;
            }
        )*
    };
}
#[allow(unused_imports)]
pub(crate) use scenario_tests;
