//! `assetronics-sandbox`: the local vendor simulators (see `assetronics_integrations::sandbox`).

use std::net::SocketAddr;

use assetronics_integrations::sandbox::{self, SandboxConfig, bamboohr::CompanySeed};
use clap::Parser;

/// Serves simulated vendor APIs (BambooHR under /bamboohr) and a control API under /_control.
#[derive(Debug, Parser)]
#[command(name = "assetronics-sandbox", version)]
struct Cli {
    /// Listen address; port 0 picks a free port (the URL is printed).
    #[arg(
        long,
        env = "ASSETRONICS_SANDBOX_BIND",
        default_value = "127.0.0.1:7070"
    )]
    bind: SocketAddr,
    /// The simulated BambooHR company's subdomain.
    #[arg(long, default_value = "acme")]
    bamboohr_subdomain: String,
    /// The API key the simulated BambooHR company accepts.
    #[arg(long, default_value = "sandbox-api-key")]
    bamboohr_api_key: String,
    /// How many employees the simulated BambooHR company has.
    #[arg(long, default_value_t = 200)]
    bamboohr_employees: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    let config = SandboxConfig {
        bind: cli.bind,
        bamboohr_companies: vec![CompanySeed {
            subdomain: cli.bamboohr_subdomain.clone(),
            api_key: cli.bamboohr_api_key,
            employees: cli.bamboohr_employees,
        }],
    };
    let (sandbox, server) = sandbox::build(config)?;
    println!("assetronics-sandbox listening on {}", sandbox.url());
    println!(
        "BambooHR base_url: {} (subdomain {:?})",
        sandbox.bamboohr_base_url(),
        cli.bamboohr_subdomain
    );
    tokio::select! {
        result = server => result,
        _ = tokio::signal::ctrl_c() => {
            sandbox.stop().await;
            Ok(())
        }
    }
}
