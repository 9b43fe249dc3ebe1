//! `samverkan loadgen`: the real server (this binary's [`Application`], the
//! embedded store in a scratch directory, the demo data) on port 0, driven
//! over HTTP by `--connections` keep-alive connections, beside yardsticks
//! started in the same run: a bare axum handler answering the same bytes and
//! the store's own concurrent append rate. Prints rate, p50, p99 and the
//! ratios (see docs/benchmarks.md).

mod client;
mod workloads;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use crate::cli::LoadgenArgs;
use crate::{AuthSettings, ConnectionLimits, Settings};
use client::{drive, post_once, Limit, MakeBody, Stats, Target};
use workloads::{graphql_body, web_query};

/// Run every workload and print the table.
pub async fn run(args: &LoadgenArgs) -> anyhow::Result<()> {
    let dir = scratch_dir(args.dir.as_deref())?;
    let result = run_in(&dir, args).await;
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        eprintln!("could not remove {}: {e}", dir.display());
    }
    result
}

fn scratch_dir(parent: Option<&std::path::Path>) -> anyhow::Result<PathBuf> {
    let parent = parent.map_or_else(std::env::temp_dir, std::path::Path::to_path_buf);
    let dir = parent.join(format!(
        "samverkan-loadgen-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

struct Row {
    what: String,
    stats: Stats,
    /// (ratio, against what).
    ratio: Option<(f64, &'static str)>,
}

fn print_row(row: &Row) {
    let ratio = row
        .ratio
        .map_or_else(String::new, |(r, against)| format!("{r:.3}× {against}"));
    println!(
        "| {} | {} | {} | {:.0}/s | {:.2} | {:.2} | {} |",
        row.what,
        row.stats.requests,
        row.stats.errors,
        row.stats.rate(),
        row.stats.quantile_ms(0.5),
        row.stats.quantile_ms(0.99),
        ratio
    );
    if let Some(e) = &row.stats.first_error {
        println!("  first error: {e}");
    }
}

async fn run_in(dir: &std::path::Path, args: &LoadgenArgs) -> anyhow::Result<()> {
    let settings = Settings {
        data_dir: dir.join("server"),
        store_url: None,
        listen: "127.0.0.1:0".into(),
        demo: true,
        open_data: None,
        auth: AuthSettings::default(),
        // The load generator writes the projection snapshots itself, at
        // known times (the first one whole, the next one appended).
        snapshot_every: Duration::from_secs(365 * 24 * 3600),
        shutdown_grace: Duration::from_secs(2),
        checkpoints: Default::default(),
        connections: ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 4 * args.connections + 64,
            max_connections_per_peer: 0,
        },
    };
    let app = crate::Application::build(settings).await?;
    let addr = app.local_addr();
    let store = app.store();
    let projections = app.projections();
    let minter = app
        .minter()
        .context("the load generator needs the development key")?
        .clone();
    let day = Duration::from_secs(24 * 3600);
    let admin = minter.mint("loadgen-admin", vec![crate::keys::role("admin", None, None)?], day)?;
    let coordinator = minter.mint(
        "loadgen-coordinator",
        vec![crate::keys::role("coordinator", None, Some("V6"))?],
        day,
    )?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stop_rx.await;
    }));
    let seconds = Duration::from_secs_f64(args.seconds);
    let connections = args.connections;
    println!(
        "samverkan loadgen: {connections} connections, {:.0} s per query workload, {} requests per mutation run; server on {addr}",
        args.seconds, args.mutations
    );
    println!();
    println!("| workload | requests | errors | rate | p50 ms | p99 ms | ratio |");
    println!("|---|---:|---:|---:|---:|---:|---|");

    // Queries first, on the demo data as loaded (the mutations grow the dashboards).
    let graphql = |token: &str| Target {
        addr,
        path: "/graphql".into(),
        token: Some(token.to_string()),
    };
    let queries = [
        ("dashboard", web_query("DASHBOARD_QUERY")?, json!({ "m": "SE-1494" })),
        (
            "consortium overview",
            web_query("OVERVIEW_QUERY")?,
            json!({ "c": "V6" }),
        ),
        (
            "yearly follow-up",
            web_query("REPORT_QUERY")?,
            json!({ "m": "SE-1494", "year": 2024 }),
        ),
    ];
    let mut answers = Vec::new();
    for (i, (_, query, variables)) in queries.iter().enumerate() {
        let body = graphql_body(query, variables);
        let (status, bytes) = post_once(&graphql(&coordinator), body).await?;
        anyhow::ensure!(status.is_success(), "query {i} answered {status}");
        anyhow::ensure!(
            !String::from_utf8_lossy(&bytes).contains("\"errors\":["),
            "query {i} answered with errors: {}",
            String::from_utf8_lossy(&bytes)
        );
        answers.push((format!("q{i}"), bytes));
    }
    let (bare_addr, bare_task) = workloads::bare_server(answers.clone()).await?;
    let limit = Limit {
        requests: u64::MAX,
        duration: seconds,
    };
    for (i, (name, query, variables)) in queries.iter().enumerate() {
        let body = graphql_body(query, variables);
        let make: MakeBody = Arc::new(move |_| body.clone());
        let bare = Target {
            addr: bare_addr,
            path: format!("/bare/q{i}"),
            token: Some(coordinator.clone()),
        };
        let bare_stats = drive(bare, connections, limit, make.clone()).await?;
        let ours = drive(graphql(&coordinator), connections, limit, make).await?;
        let ratio = ours.rate() / bare_stats.rate().max(1e-9);
        print_row(&Row {
            what: format!("bare axum handler, same bytes as {name} ({} bytes)", answers[i].1.len()),
            stats: bare_stats,
            ratio: None,
        });
        print_row(&Row {
            what: format!("GraphQL {name}"),
            stats: ours,
            ratio: Some((ratio, "bare")),
        });
    }
    // The same dashboard query, but a different municipality and request
    // bytes each time: every answer is built (no response-cache hit).
    let codes = workloads::municipality_codes(&graphql(&coordinator)).await?;
    let dashboard = queries[0].1;
    let make: MakeBody = Arc::new(move |n| workloads::uncached_dashboard_body(dashboard, &codes, n));
    let bare = Target {
        addr: bare_addr,
        path: "/bare/q0".into(),
        token: Some(coordinator.clone()),
    };
    let bare_stats = drive(bare, connections, limit, make.clone()).await?;
    let ours = drive(graphql(&coordinator), connections, limit, make).await?;
    let ratio = ours.rate() / bare_stats.rate().max(1e-9);
    print_row(&Row {
        what: format!(
            "bare axum handler, same bytes as dashboard ({} bytes)",
            answers[0].1.len()
        ),
        stats: bare_stats,
        ratio: None,
    });
    print_row(&Row {
        what: "GraphQL dashboard, uncached (another municipality and request bytes each time)".into(),
        stats: ours,
        ratio: Some((ratio, "bare")),
    });
    bare_task.abort();

    // The store's own 64-writer (`--connections`) append rate, same run.
    let (appends, took) = workloads::store_appends(dir, connections, seconds).await?;
    let store_rate = appends as f64 / took.as_secs_f64();
    println!(
        "| store yardstick: {connections} writers, one event per append (embedded SQLite) | {appends} | 0 | {store_rate:.0}/s | | | |"
    );

    // Mutations: two sets of `--projects` projects, one with short streams
    // and one grown (not timed) to `--grow`× the short streams' length at
    // the end, so that they stay that much longer throughout. The runs go
    // short, long, long, short: what the order does to a run (caches
    // warming, the files growing) falls on both alike.
    let projects = workloads::active_projects(&graphql(&admin), 2 * args.projects).await?;
    let projects = workloads::register_projects(&graphql(&admin), projects, 2 * args.projects).await?;
    let (long_set, short_set) = projects.split_at(args.projects);
    let (long_set, short_set) = (long_set.to_vec(), short_set.to_vec());
    let short_now = workloads::longest_stream(&store, &short_set).await?;
    let per_stream = 2 * args.mutations.div_ceil(short_set.len() as u64);
    let to_length = args.grow * (short_now + per_stream);
    let (grown, last) = workloads::grow_streams(&store, &long_set, to_length).await?;
    // The grown events went to the store behind the server's back: let the
    // read models take them in, then send one command per stream (the
    // aggregate cache finds its entry stale by the expected version and
    // refolds from it). Both are one-time costs of growing the streams this
    // way, reported but not timed with the runs; streams grown through
    // commands never pay them.
    let caught_up = std::time::Instant::now();
    if let Some(last) = last {
        anyhow::ensure!(
            projections.wait_for(last, Duration::from_secs(300)).await,
            "the read models did not take in the grown events within 300 s"
        );
    }
    println!(
        "| (grew {} project streams to {to_length} events: {grown} events appended, not timed; the read models took them in {:.0} ms more; the short streams have {short_now} now and {} at the end) | | | | | | |",
        long_set.len(),
        caught_up.elapsed().as_secs_f64() * 1000.0,
        short_now + per_stream,
    );
    let ps = long_set.clone();
    let make: MakeBody = Arc::new(move |n| workloads::plan_milestone_body("refresh", &ps, n));
    let once = Limit {
        requests: long_set.len() as u64,
        duration: Duration::from_secs(600),
    };
    let stats = drive(graphql(&admin), connections, once, make).await?;
    print_row(&Row {
        what: format!(
            "planMilestone, one per grown stream (the aggregate cache refreshes its {} entries)",
            long_set.len()
        ),
        stats,
        ratio: None,
    });

    let limit = Limit {
        requests: args.mutations,
        duration: Duration::from_secs(600),
    };
    let (mut short_rates, mut long_rates) = (Vec::new(), Vec::new());
    // The last two runs: long streams again, with a projection snapshot
    // written (as the periodic task writes it) once a quarter of the
    // commands are sent: first the whole log (the first snapshot of a server
    // started without one), then appended (every snapshot after).
    for run in ["short-1", "long-1", "long-2", "short-2", "snapshot", "appended"] {
        let set = if run.starts_with("short") {
            &short_set
        } else {
            &long_set
        };
        let trigger = Arc::new(tokio::sync::Notify::new());
        let snapshot = matches!(run, "snapshot" | "appended").then(|| {
            let (projections, trigger) = (projections.clone(), trigger.clone());
            tokio::spawn(async move {
                trigger.notified().await;
                let began = std::time::Instant::now();
                let saved = tokio::task::spawn_blocking(move || projections.save_snapshot()).await;
                (began.elapsed(), saved)
            })
        });
        let (ps, at) = (set.clone(), args.mutations / 4);
        let make: MakeBody = Arc::new(move |n| {
            if n == at {
                trigger.notify_one();
            }
            workloads::plan_milestone_body(run, &ps, n)
        });
        let stats = drive(graphql(&admin), connections, limit, make).await?;
        let rate = stats.rate();
        let (conflicts, gap, p99) = (stats.conflicts, stats.longest_gap_ms(), stats.quantile_ms(0.99));
        let what = match run {
            "snapshot" => "long streams, the first snapshot (whole log) written meanwhile".to_string(),
            "appended" => "long streams, the next snapshot (appended) written meanwhile".to_string(),
            _ => {
                let (kind, nth) = run.split_once('-').unwrap_or((run, ""));
                format!("{kind} streams, run {nth}")
            }
        };
        print_row(&Row {
            what: format!("planMilestone, {} projects, {what}", set.len()),
            stats,
            ratio: Some((rate / store_rate.max(1e-9), "store")),
        });
        println!("  CONFLICT answers: {conflicts}; longest time without an answer: {gap:.1} ms (p99 {p99:.1} ms)");
        if let Some(task) = snapshot {
            let (took, saved) = task.await.context("the snapshot task failed")?;
            let saved = saved.context("the snapshot task panicked")??;
            println!(
                "  snapshot written in {:.1} ms: {} log entries in {} segments, {} bytes, {}",
                took.as_secs_f64() * 1000.0,
                saved.entries,
                saved.segments,
                saved.bytes,
                if saved.appended { "appended" } else { "whole" }
            );
        }
        if run.starts_with("short") {
            short_rates.push(rate);
        } else if run.starts_with("long") {
            long_rates.push(rate);
        }
        if run == "short-2" {
            let (s, l): (f64, f64) = (short_rates.iter().sum(), long_rates.iter().sum());
            println!("  long/short rate (both runs of each): {:.3}", l / s.max(1e-9));
        }
    }

    let _ = stop_tx.send(());
    server.await.context("the server task failed")??;
    Ok(())
}
