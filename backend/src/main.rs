//! The `assetronics` command: serve | migrate | seed-demo | openapi | graphql-schema.

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use assetronics::{Application, Settings, app, demo};

#[derive(Parser)]
#[command(
    name = "assetronics",
    version,
    about = "Hardware-asset management server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API (and the built web app when present).
    Serve {
        /// Create the demo tenant first when it does not exist, and print its login.
        #[arg(long)]
        demo: bool,
        /// Do not run job workers in this process (run `assetronics worker` elsewhere).
        #[arg(long)]
        no_workers: bool,
    },
    /// Run job workers only (no HTTP), e.g. on dedicated nodes.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Create the demo tenant (idempotent) and exit.
    SeedDemo,
    /// Print the OpenAPI document.
    Openapi,
    /// Print the GraphQL schema (SDL).
    GraphqlSchema,
}

fn init_tracing() {
    let filter = EnvFilter::try_from_env("ASSETRONICS_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let json = std::env::var("ASSETRONICS_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> Result<(), app::StartupError> {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi => {
            print!("{}", assetronics::openapi::document());
            return Ok(());
        }
        Command::GraphqlSchema => {
            print!("{}", assetronics::graphql::sdl());
            return Ok(());
        }
        _ => {}
    }
    init_tracing();
    let settings = Settings::from_env()?;
    match cli.command {
        Command::Openapi | Command::GraphqlSchema => {}
        Command::Migrate => {
            app::build_state(settings).await?;
            eprintln!("migrations applied");
        }
        Command::SeedDemo => {
            let state = app::build_state(settings).await?;
            let login = demo::seed(&state).await?;
            println!("demo tenant ready: {} / {}", login.email, login.password);
        }
        Command::Worker => {
            let state = std::sync::Arc::new(app::build_state(settings).await?);
            state.events.start(&state.db).await?;
            eprintln!("assetronics worker running");
            let grace = state.settings.jobs.shutdown_grace;
            let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
            let workers = tokio::spawn(assetronics::jobs::run_workers(state.clone(), async move {
                let _ = stop_rx.wait_for(|s| *s).await;
            }));
            app::shutdown_requested().await;
            eprintln!("assetronics worker stopping: letting in-flight jobs finish");
            let _ = stop_tx.send(true);
            if tokio::time::timeout(grace, workers).await.is_err() {
                eprintln!(
                    "jobs still running at the end of the grace period; they will be re-queued"
                );
            }
        }
        Command::Serve {
            demo: with_demo,
            no_workers,
        } => {
            let mut settings = settings;
            settings.run_workers = !no_workers;
            let bind = settings.bind.clone();
            let application = Application::build(settings).await?;
            let host = bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
            let host = if host == "0.0.0.0" || host == "[::]" {
                "localhost"
            } else {
                host
            };
            let url = format!("http://{host}:{}", application.port());
            if with_demo {
                let login = demo::seed(&application.state).await?;
                if let Err(e) = demo::connect_simulator(&application.state, &url).await {
                    eprintln!("the demo's HR simulator could not be connected: {e}");
                }
                println!("Assetronics is running at {url}");
                println!(
                    "Demo login: {} / {}  (organization: {})",
                    login.email, login.password, login.tenant_slug
                );
            } else {
                println!("Assetronics is running at {url}");
            }
            application.run_until_stopped().await?;
        }
    }
    Ok(())
}
