//! `assetronics-sandbox`: the local vendor simulators (see `assetronics_integrations::sandbox`).

use std::net::SocketAddr;

use assetronics_integrations::sandbox::{
    self, SandboxConfig, bamboohr, freshservice, hibob, intune, jamf, jira, kandji, netsuite,
    quickbooks, servicenow, slack,
};
use clap::Parser;

/// Serves simulated vendor APIs (BambooHR under /bamboohr, HiBob under /hibob, Jamf Pro under
/// /jamf, Intune under /intune, Kandji under /kandji, QuickBooks Online under /quickbooks,
/// NetSuite under /netsuite, Slack under /slack, Jira Service Management under /jira, ServiceNow
/// under /servicenow, Freshservice under /freshservice) and a control API under /_control.
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
    /// The simulated HiBob company's id.
    #[arg(long, default_value_t = 100_001)]
    hibob_company_id: u64,
    /// The simulated HiBob company's service user id.
    #[arg(long, default_value = "SERVICE-SANDBOX")]
    hibob_service_user_id: String,
    /// The simulated HiBob service user's token.
    #[arg(long, default_value = "sandbox-token")]
    hibob_token: String,
    /// How many people the simulated HiBob company has.
    #[arg(long, default_value_t = 200)]
    hibob_employees: u64,
    /// The simulated Jamf Pro instance's name (as control paths name it).
    #[arg(long, default_value = "acme")]
    jamf_instance: String,
    /// The simulated Jamf Pro API client's id.
    #[arg(long, default_value = "sandbox-jamf-client")]
    jamf_client_id: String,
    /// The simulated Jamf Pro API client's secret.
    #[arg(long, default_value = "sandbox-jamf-secret")]
    jamf_client_secret: String,
    /// How many computers the simulated Jamf Pro instance manages.
    #[arg(long, default_value_t = 200)]
    jamf_computers: u64,
    /// The simulated Intune tenant's id (or domain).
    #[arg(long, default_value = "acme.onmicrosoft.com")]
    intune_tenant_id: String,
    /// The simulated Intune app registration's client id.
    #[arg(long, default_value = "sandbox-intune-client")]
    intune_client_id: String,
    /// The simulated Intune app registration's client secret.
    #[arg(long, default_value = "sandbox-intune-secret")]
    intune_client_secret: String,
    /// How many devices the simulated Intune tenant manages.
    #[arg(long, default_value_t = 200)]
    intune_devices: u64,
    /// The simulated Kandji tenant's subdomain (as control paths name it).
    #[arg(long, default_value = "acme")]
    kandji_subdomain: String,
    /// The API token the simulated Kandji tenant accepts.
    #[arg(long, default_value = "sandbox-kandji-token")]
    kandji_api_token: String,
    /// How many devices the simulated Kandji tenant manages.
    #[arg(long, default_value_t = 200)]
    kandji_devices: u64,
    /// The email domain of simulated device users (the default matches the BambooHR company
    /// `acme`, so that devices and employees line up).
    #[arg(long, default_value = "acme.example.com")]
    mdm_user_domain: String,
    /// The simulated Slack workspace's id (as control paths name it).
    #[arg(long, default_value = "T0ACME0001")]
    slack_team_id: String,
    /// The bot token the simulated Slack workspace accepts.
    #[arg(long, default_value = "xoxb-sandbox-slack-token")]
    slack_bot_token: String,
    /// The secret the simulated Slack workspace signs its requests to the app with.
    #[arg(long, default_value = "sandbox-slack-signing-secret")]
    slack_signing_secret: String,
    /// How many people of the simulated workforce are members of the Slack workspace (with
    /// addresses at the MDM user domain).
    #[arg(long, default_value_t = 10)]
    slack_members: u64,
    /// The simulated QuickBooks Online company's realm id.
    #[arg(long, default_value = "9341452917364120")]
    quickbooks_realm_id: String,
    /// The client id of the Intuit app the simulated QuickBooks company accepts.
    #[arg(long, default_value = "sandbox-quickbooks-client")]
    quickbooks_client_id: String,
    /// That app's client secret.
    #[arg(long, default_value = "sandbox-quickbooks-secret")]
    quickbooks_client_secret: String,
    /// The refresh token that works first (each use rotates it; the control API's
    /// /_control/quickbooks/{realm}/refresh-token tells the current one).
    #[arg(long, default_value = "sandbox-quickbooks-refresh-token")]
    quickbooks_refresh_token: String,
    /// The simulated NetSuite account's id.
    #[arg(long, default_value = "1234567_SB1")]
    netsuite_account_id: String,
    /// The simulated NetSuite integration record's consumer key.
    #[arg(long, default_value = "sandbox-netsuite-consumer-key")]
    netsuite_consumer_key: String,
    /// That integration record's consumer secret.
    #[arg(long, default_value = "sandbox-netsuite-consumer-secret")]
    netsuite_consumer_secret: String,
    /// The simulated NetSuite access token's id.
    #[arg(long, default_value = "sandbox-netsuite-token-id")]
    netsuite_token_id: String,
    /// That access token's secret.
    #[arg(long, default_value = "sandbox-netsuite-token-secret")]
    netsuite_token_secret: String,
    /// How many devices of the Jamf Pro fleet the finance systems' books hold purchases of
    /// (by the Jamf computers' serial numbers).
    #[arg(long, default_value_t = 200)]
    finance_devices: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    let config = SandboxConfig {
        bind: cli.bind,
        bamboohr_companies: vec![bamboohr::CompanySeed {
            subdomain: cli.bamboohr_subdomain.clone(),
            api_key: cli.bamboohr_api_key,
            employees: cli.bamboohr_employees,
        }],
        hibob_companies: vec![hibob::CompanySeed {
            company_id: cli.hibob_company_id,
            service_user_id: cli.hibob_service_user_id.clone(),
            token: cli.hibob_token,
            employees: cli.hibob_employees,
        }],
        jamf_instances: vec![jamf::InstanceSeed {
            instance: cli.jamf_instance.clone(),
            client_id: cli.jamf_client_id.clone(),
            client_secret: cli.jamf_client_secret,
            computers: cli.jamf_computers,
            user_domain: cli.mdm_user_domain.clone(),
            ..jamf::InstanceSeed::default()
        }],
        intune_tenants: vec![intune::TenantSeed {
            tenant_id: cli.intune_tenant_id.clone(),
            client_id: cli.intune_client_id.clone(),
            client_secret: cli.intune_client_secret,
            devices: cli.intune_devices,
            user_domain: cli.mdm_user_domain.clone(),
            ..intune::TenantSeed::default()
        }],
        kandji_tenants: vec![kandji::TenantSeed {
            subdomain: cli.kandji_subdomain.clone(),
            api_token: cli.kandji_api_token,
            devices: cli.kandji_devices,
            user_domain: cli.mdm_user_domain.clone(),
        }],
        quickbooks_companies: vec![quickbooks::CompanySeed {
            realm_id: cli.quickbooks_realm_id.clone(),
            client_id: cli.quickbooks_client_id.clone(),
            client_secret: cli.quickbooks_client_secret,
            refresh_token: cli.quickbooks_refresh_token,
            devices: cli.finance_devices,
            ..quickbooks::CompanySeed::default()
        }],
        netsuite_accounts: vec![netsuite::AccountSeed {
            account_id: cli.netsuite_account_id.clone(),
            consumer_key: cli.netsuite_consumer_key.clone(),
            consumer_secret: cli.netsuite_consumer_secret,
            token_id: cli.netsuite_token_id.clone(),
            token_secret: cli.netsuite_token_secret,
            devices: cli.finance_devices,
            ..netsuite::AccountSeed::default()
        }],
        slack_workspaces: vec![slack::WorkspaceSeed {
            team_id: cli.slack_team_id.clone(),
            bot_token: cli.slack_bot_token,
            signing_secret: cli.slack_signing_secret,
            people: cli.slack_members,
            user_domain: cli.mdm_user_domain.clone(),
            ..slack::WorkspaceSeed::default()
        }],
        ..SandboxConfig::default()
    };
    let (sandbox, server) = sandbox::build(config)?;
    println!("assetronics-sandbox listening on {}", sandbox.url());
    println!(
        "BambooHR base_url: {} (subdomain {:?})",
        sandbox.bamboohr_base_url(),
        cli.bamboohr_subdomain
    );
    println!(
        "HiBob base_url: {} (service user {:?}, company {})",
        sandbox.hibob_base_url(),
        cli.hibob_service_user_id,
        cli.hibob_company_id
    );
    println!(
        "Jamf Pro base_url: {} (client id {:?}, instance {:?})",
        sandbox.jamf_base_url(),
        cli.jamf_client_id,
        cli.jamf_instance
    );
    println!(
        "Intune base_url and login_base_url: {} (tenant {:?}, client id {:?})",
        sandbox.intune_base_url(),
        cli.intune_tenant_id,
        cli.intune_client_id
    );
    println!(
        "Kandji base_url: {} (tenant {:?})",
        sandbox.kandji_base_url(),
        cli.kandji_subdomain
    );
    println!(
        "Slack base_url: {} (workspace {:?})",
        sandbox.slack_base_url(),
        cli.slack_team_id
    );
    let jira = jira::SiteSeed::default();
    println!(
        "Jira Service Management base_url: {} (site {:?}, email {:?}, API token {:?}, service desk {}, request type {})",
        sandbox.jira_base_url(),
        jira.site,
        jira.email,
        jira.api_token,
        jira.service_desk_id,
        jira.request_type_id
    );
    let servicenow = servicenow::InstanceSeed::default();
    println!(
        "ServiceNow base_url: {} (instance {:?}, user {:?}, password {:?})",
        sandbox.servicenow_base_url(),
        servicenow.instance,
        servicenow.username,
        servicenow.password
    );
    let freshservice = freshservice::AccountSeed::default();
    println!(
        "Freshservice base_url: {} (domain {:?}, API key {:?})",
        sandbox.freshservice_base_url(),
        freshservice.domain,
        freshservice.api_key
    );
    println!(
        "QuickBooks Online base_url: {}, token_url: {} (realm {:?}, client id {:?})",
        sandbox.quickbooks_base_url(),
        sandbox.quickbooks_token_url(),
        cli.quickbooks_realm_id,
        cli.quickbooks_client_id
    );
    println!(
        "NetSuite base_url: {} (account {:?}, consumer key {:?}, token id {:?})",
        sandbox.netsuite_base_url(),
        cli.netsuite_account_id,
        cli.netsuite_consumer_key,
        cli.netsuite_token_id
    );
    tokio::select! {
        result = server => result,
        _ = tokio::signal::ctrl_c() => {
            sandbox.stop().await;
            Ok(())
        }
    }
}
