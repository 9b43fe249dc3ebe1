//! `samverkan`: serve the GraphQL API, load the demo data, print the schema,
//! move the log between stores.

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use samverkan_app::Commands;
use samverkan_server::store::{self, StoreLocation};
use samverkan_server::{keys, telemetry, Application, Cli, Command, Settings};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let telemetry = telemetry::init_for(&cli.command);
    let code = match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        // `verify`: the chain holds, but no trusted key proves the checkpoints.
        Err(e) if e.is::<samverkan_server::record::verify::Untrusted>() => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    };
    // Export what is still buffered (spans, the last metrics).
    telemetry.shutdown_async().await;
    code
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Schema => {
            print!("{}", samverkan_api::sdl());
            Ok(())
        }
        Command::Seed(data) => {
            samverkan_server::datadir::prepare(&data.data_dir)?;
            let location = StoreLocation::parse(data.store_url.as_deref(), &data.data_dir)?;
            let store = store::open(&location).await?;
            let summary = samverkan_app::demo::load(&Commands::new(store))
                .await
                .context("loading the demo data failed")?;
            print!("{summary}");
            Ok(())
        }
        Command::Serve(args) => {
            let app = Application::build(Settings::from(*args)).await?;
            if let Some(summary) = app.demo_summary() {
                println!(
                    "Demo data: {} commands, {} events appended (last position {})",
                    summary.commands, summary.events_appended, summary.last_position
                );
                print_demo_tokens(&app)?;
            }
            println!("Samverkan listening on http://{}", app.local_addr());
            println!("GraphiQL: {}", app.graphiql_url());
            app.run_until_stopped().await
        }
        Command::Token(args) => {
            println!("{}", keys::mint_cli(&args)?);
            Ok(())
        }
        Command::Keys(args) => {
            print!(
                "{}",
                samverkan_server::record::keys_cli(&args.data_dir, args.checkpoint_key_file.as_deref())?
            );
            Ok(())
        }
        Command::Verify(args) => samverkan_server::record::verify::run(&args).await,
        Command::Migrate(args) => samverkan_server::migrate::run(&args).await,
        Command::Export(args) => samverkan_server::record::cloudevents::run_export(&args).await,
        Command::Import(args) => samverkan_server::record::cloudevents::run_import(&args).await,
        Command::Loadgen(args) => samverkan_server::loadgen::run(&args).await,
    }
}

/// The request the printed `curl` sends: something worth seeing on the demo.
const TRY_QUERY: &str = r#"{"query":"{ lidkoping: dashboard(municipality: \"SE-1494\") { municipality { name } strategiesInForce { strategy { title } nextFollowUpDue followUpOverdue } } skara: dashboard(municipality: \"SE-1495\") { municipality { name } actionList { title deadline } } }"}"#;

/// `serve --demo`: tokens to try the API with (development key only).
fn print_demo_tokens(app: &Application) -> anyhow::Result<()> {
    let Some(minter) = app.minter() else {
        println!("Tokens: use your identity provider's (the server verifies RS256/ES256 only)");
        return Ok(());
    };
    let tokens = keys::demo_tokens(minter)?;
    for (label, token) in &tokens {
        println!("{label}: {token}");
    }
    // The coordinator sees V6's drafts: Lidköping's overdue follow-up and
    // the co-financing decisions Skara owes.
    if let Some((_, coordinator)) = tokens.first() {
        println!(
            "Try: curl -s {} -H 'Authorization: Bearer {coordinator}' -H 'content-type: application/json' \\\n  -d '{TRY_QUERY}'",
            app.graphiql_url()
        );
    }
    println!("More tokens: samverkan token --role officer --municipality SE-1487 (same --data-dir)");
    Ok(())
}
