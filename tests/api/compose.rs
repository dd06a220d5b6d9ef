//! The production shape as written down: docker-compose.yml, the Dockerfiles it builds, the web
//! proxy's configuration and the CI workflows, checked against the repository and the server
//! itself (its commands, the variables it reads). No Docker engine is needed; the proxy
//! configuration also runs, in front of a real server, wherever nginx is installed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use assetronics_tests::socket;
use assetronics_tests::*;
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};
use yaml_rust2::{Yaml, YamlLoader};

/// The repository root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
        .to_path_buf()
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative))
        .unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

/// A YAML file of the repository, with merge keys (`<<: *anchor`) applied as compose applies them.
fn yaml(relative: &str) -> Yaml {
    let mut docs = YamlLoader::load_from_str(&read(relative))
        .unwrap_or_else(|e| panic!("{relative} is not YAML: {e}"));
    assert_eq!(docs.len(), 1, "{relative}: one document");
    with_merges(docs.remove(0))
}

fn with_merges(y: Yaml) -> Yaml {
    match y {
        Yaml::Hash(h) => {
            let merge_key = Yaml::String("<<".into());
            let mut out = yaml_rust2::yaml::Hash::new();
            if let Some(sources) = h.get(&merge_key) {
                let sources = match sources {
                    Yaml::Array(a) => a.clone(),
                    one => vec![one.clone()],
                };
                // The first source wins over later ones; the mapping's own keys win over all.
                for source in sources.into_iter().rev() {
                    match with_merges(source) {
                        Yaml::Hash(s) => out.extend(s),
                        other => panic!("a merge key takes mappings, not {other:?}"),
                    }
                }
            }
            for (k, v) in h {
                if k != merge_key {
                    out.insert(k, with_merges(v));
                }
            }
            Yaml::Hash(out)
        }
        Yaml::Array(a) => Yaml::Array(a.into_iter().map(with_merges).collect()),
        other => other,
    }
}

/// A scalar as compose reads it (numbers and booleans included), `None` when absent.
fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn keys(y: &Yaml) -> Vec<String> {
    y.as_hash()
        .map(|h| h.keys().filter_map(scalar).collect())
        .unwrap_or_default()
}

/// A command or healthcheck test: a list, or one string split on spaces.
fn words(y: &Yaml) -> Vec<String> {
    match y {
        Yaml::Array(a) => a.iter().filter_map(scalar).collect(),
        Yaml::String(s) => s.split_whitespace().map(str::to_owned).collect(),
        _ => vec![],
    }
}

/// A service's `environment`, in either of compose's forms (mapping, or `KEY=value` list).
fn environment(service: &Yaml) -> BTreeMap<String, String> {
    let env = &service["environment"];
    match env {
        Yaml::Hash(h) => h
            .iter()
            .filter_map(|(k, v)| Some((scalar(k)?, scalar(v).unwrap_or_default())))
            .collect(),
        Yaml::Array(a) => a
            .iter()
            .filter_map(|item| {
                let item = scalar(item)?;
                let (k, v) = item.split_once('=').unwrap_or((&item, ""));
                Some((k.to_owned(), v.to_owned()))
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// `depends_on` as service → condition (the short list form means `service_started`).
fn depends_on(service: &Yaml) -> BTreeMap<String, String> {
    match &service["depends_on"] {
        Yaml::Array(a) => a
            .iter()
            .filter_map(scalar)
            .map(|s| (s, "service_started".to_owned()))
            .collect(),
        Yaml::Hash(h) => h
            .iter()
            .filter_map(|(k, v)| {
                let condition = scalar(&v["condition"]).unwrap_or_else(|| "service_started".into());
                Some((scalar(k)?, condition))
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// One stage of a Dockerfile: its name and instructions (keyword, rest), continuation lines
/// joined.
#[derive(Debug)]
struct Stage {
    name: Option<String>,
    instructions: Vec<(String, String)>,
}

fn dockerfile(path: &Path) -> Vec<Stage> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut stages: Vec<Stage> = Vec::new();
    let mut logical = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && logical.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                logical.push_str(part);
                logical.push(' ');
                continue;
            }
            None => logical.push_str(trimmed),
        }
        let instruction = std::mem::take(&mut logical);
        let (keyword, rest) = instruction
            .split_once(char::is_whitespace)
            .unwrap_or((&instruction, ""));
        let keyword = keyword.to_uppercase();
        let rest = rest.trim().to_owned();
        if keyword == "FROM" {
            let parts: Vec<&str> = rest.split_whitespace().collect();
            let name = match parts.as_slice() {
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some((*name).to_owned()),
                _ => None,
            };
            stages.push(Stage {
                name,
                instructions: vec![],
            });
        }
        stages
            .last_mut()
            .unwrap_or_else(|| panic!("{}: an instruction before FROM", path.display()))
            .instructions
            .push((keyword, rest));
    }
    stages
}

impl Stage {
    fn last(&self, keyword: &str) -> Option<&str> {
        self.instructions
            .iter()
            .rev()
            .find(|(k, _)| k == keyword)
            .map(|(_, rest)| rest.as_str())
    }

    /// `ENV` settings of this stage (`KEY=value` form).
    fn env(&self) -> BTreeMap<String, String> {
        self.instructions
            .iter()
            .filter(|(k, _)| k == "ENV")
            .flat_map(|(_, rest)| {
                rest.split_whitespace()
                    .filter_map(|pair| pair.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// The stage a service builds: its `build.target`, else the last one.
fn built_stage<'a>(stages: &'a [Stage], service: &Yaml) -> &'a Stage {
    match scalar(&service["build"]["target"]) {
        Some(target) => stages
            .iter()
            .find(|s| s.name.as_deref() == Some(target.as_str()))
            .unwrap_or_else(|| panic!("no stage {target}")),
        None => stages.last().expect("a stage"),
    }
}

/// The quoted `ASSETRONICS_*` and `DATABASE_URL` literals in the Rust sources under `dir`: the
/// names the code reads (the doc comments name them in backticks, not quotes).
fn variables_read_under(dir: &str) -> BTreeSet<String> {
    fn walk(dir: &Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                for prefix in ["\"ASSETRONICS_", "\"DATABASE_URL\""] {
                    for (at, _) in text.match_indices(prefix) {
                        let name: String = text[at + 1..]
                            .chars()
                            .take_while(|c| {
                                c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_'
                            })
                            .collect();
                        if text[at + 1 + name.len()..].starts_with('"') {
                            found.insert(name);
                        }
                    }
                }
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(&repo().join(dir), &mut found);
    found
}

/// Services built from backend/Dockerfile's `server` stage: the roles of the one binary.
fn server_services(compose: &Yaml) -> Vec<(String, Yaml)> {
    compose["services"]
        .as_hash()
        .expect("services")
        .iter()
        .filter(|(_, s)| {
            scalar(&s["build"]["dockerfile"]).as_deref() == Some("backend/Dockerfile")
                && scalar(&s["build"]["target"]).as_deref() == Some("server")
        })
        .map(|(k, s)| (scalar(k).expect("name"), s.clone()))
        .collect()
}

#[test]
fn compose_runs_each_role_of_the_server_with_a_command_the_binary_accepts() {
    let compose = yaml("docker-compose.yml");
    let services = &compose["services"];
    let names = keys(services);
    for expected in ["postgres", "migrate", "api", "worker", "web"] {
        assert!(
            names.contains(&expected.to_owned()),
            "no {expected} service: {names:?}"
        );
    }
    let roles: BTreeMap<String, Vec<String>> = server_services(&compose)
        .iter()
        .map(|(name, s)| (name.clone(), words(&s["command"])))
        .collect();
    assert_eq!(
        roles,
        BTreeMap::from([
            (
                "api".to_owned(),
                vec!["serve".to_owned(), "--no-workers".to_owned()]
            ),
            ("migrate".to_owned(), vec!["migrate".to_owned()]),
            ("worker".to_owned(), vec!["worker".to_owned()]),
        ]),
        "the server image's roles"
    );

    // The image runs the binary, as a user other than root.
    let stages = dockerfile(&repo().join("backend/Dockerfile"));
    let server = built_stage(&stages, &services["api"]);
    assert_eq!(server.last("ENTRYPOINT"), Some(r#"["assetronics"]"#));
    let user = server.last("USER").expect("a USER in the server stage");
    assert!(
        !matches!(user, "root" | "0" | "0:0"),
        "runs as root: {user}"
    );

    // The binary itself accepts each command line (clap answers --help only after parsing
    // what comes before it).
    for (service, command) in &roles {
        let out = std::process::Command::new(process::server_binary())
            .args(command)
            .arg("--help")
            .output()
            .expect("run the server binary");
        assert!(
            out.status.success(),
            "{service}: `assetronics {}` is not a command the binary has: {}",
            command.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = std::process::Command::new(process::server_binary())
        .args(["serve", "--no-such-flag", "--help"])
        .output()
        .expect("run the server binary");
    assert!(
        !out.status.success(),
        "an unknown flag is refused, so the check above means something"
    );

    // Two stateless API replicas that only `web` reaches; workers and migrations apart.
    let api = &services["api"];
    let replicas = api["deploy"]["replicas"]
        .as_i64()
        .expect("api deploy.replicas");
    assert!(replicas >= 2, "api replicas: {replicas}");
    for name in &names {
        if name != "web" {
            assert!(
                services[name.as_str()]["ports"].is_badvalue(),
                "{name} publishes a port; only web is public"
            );
        }
    }
    assert!(
        !services["web"]["ports"].is_badvalue(),
        "web publishes a port"
    );
}

#[test]
fn compose_starts_services_in_order_with_health_checks_on_readyz() {
    let compose = yaml("docker-compose.yml");
    let services = &compose["services"];
    let names = keys(services);
    let conditions = [
        "service_started",
        "service_healthy",
        "service_completed_successfully",
    ];
    for name in &names {
        let service = &services[name.as_str()];
        for (target, condition) in depends_on(service) {
            assert!(
                names.contains(&target),
                "{name} depends on unknown {target}"
            );
            assert!(
                conditions.contains(&condition.as_str()),
                "{name}: {condition}"
            );
            let target = &services[target.as_str()];
            if condition == "service_healthy" {
                assert!(
                    !target["healthcheck"]["test"].is_badvalue()
                        && target["healthcheck"]["disable"].as_bool() != Some(true),
                    "{name} waits for the health of a service without a health check"
                );
            }
            if condition == "service_completed_successfully" {
                assert_eq!(
                    scalar(&target["restart"]).as_deref(),
                    Some("no"),
                    "{name} waits for a one-shot that would be restarted"
                );
            }
        }
    }
    let order = |name: &str| depends_on(&services[name]);
    assert_eq!(
        order("migrate").get("postgres").map(String::as_str),
        Some("service_healthy")
    );
    for node in ["api", "worker"] {
        assert_eq!(
            order(node).get("migrate").map(String::as_str),
            Some("service_completed_successfully"),
            "{node} starts after the migrations"
        );
    }
    assert_eq!(
        order("web").get("api").map(String::as_str),
        Some("service_healthy")
    );
    for name in ["api", "web"] {
        let test = words(&services[name]["healthcheck"]["test"]);
        assert!(
            test.iter().any(|w| w.ends_with(":8080/readyz")),
            "{name} health check: {test:?}"
        );
    }
    // No HTTP listener in these roles, so the image's /readyz check is switched off.
    for name in ["worker", "migrate"] {
        assert_eq!(
            services[name]["healthcheck"]["disable"].as_bool(),
            Some(true),
            "{name}"
        );
    }
    // PostgreSQL keeps its data in a named volume.
    let volumes = words(&services["postgres"]["volumes"]);
    let data = volumes
        .iter()
        .find(|v| v.contains(":/var/lib/postgresql/data"))
        .expect("a volume for the PostgreSQL data");
    let volume = data.split(':').next().unwrap_or_default();
    assert!(
        keys(&compose["volumes"]).contains(&volume.to_owned()),
        "{volume} is a declared volume"
    );
}

#[test]
fn compose_builds_from_dockerfiles_whose_sources_exist() {
    let compose = yaml("docker-compose.yml");
    let ignored: Vec<String> = read(".dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let is_ignored = |source: &str| {
        let source = source.trim_end_matches('/');
        ignored
            .iter()
            .any(|pattern| match pattern.strip_prefix("**/") {
                Some(name) => source.split('/').any(|part| part == name),
                None => source == pattern || source.starts_with(&format!("{pattern}/")),
            })
    };
    let mut built = BTreeSet::new();
    for (name, service) in compose["services"].as_hash().expect("services") {
        let name = scalar(name).expect("name");
        let build = &service["build"];
        if build.is_badvalue() {
            continue;
        }
        let context = repo().join(scalar(&build["context"]).expect("build.context"));
        assert!(context.is_dir(), "{name}: no context {}", context.display());
        let file = scalar(&build["dockerfile"]).unwrap_or_else(|| "Dockerfile".into());
        let path = context.join(&file);
        assert!(path.is_file(), "{name}: no {}", path.display());
        built.insert(file.clone());
        let stages = dockerfile(&path);
        built_stage(&stages, service);
        let mut earlier = BTreeSet::new();
        for stage in &stages {
            for (keyword, rest) in &stage.instructions {
                if keyword != "COPY" && keyword != "ADD" {
                    continue;
                }
                let args: Vec<&str> = rest.split_whitespace().collect();
                if let Some(from) = args.iter().find_map(|a| a.strip_prefix("--from=")) {
                    assert!(
                        earlier.contains(from),
                        "{file}: COPY --from={from} before that stage"
                    );
                    continue;
                }
                let sources: Vec<&&str> = args.iter().filter(|a| !a.starts_with("--")).collect();
                for source in &sources[..sources.len().saturating_sub(1)] {
                    assert!(
                        context.join(source).exists(),
                        "{file}: COPY {source} does not exist"
                    );
                    assert!(
                        !is_ignored(source),
                        "{file}: COPY {source} is in .dockerignore"
                    );
                }
            }
            if let Some(n) = &stage.name {
                earlier.insert(n.as_str());
            }
        }
    }
    assert!(built.contains("backend/Dockerfile") && built.contains("frontend/Dockerfile"));
}

#[test]
fn compose_sets_only_variables_the_programs_read_and_no_secret_values() {
    let compose = yaml("docker-compose.yml");
    let server_reads = variables_read_under("backend/src");
    for known in [
        "ASSETRONICS_BIND",
        "DATABASE_URL",
        "ASSETRONICS_LOG_FORMAT",
        "ASSETRONICS_SECRETS_KEY",
    ] {
        assert!(
            server_reads.contains(known),
            "the scan finds {known}: {server_reads:?}"
        );
    }
    let ours = |k: &str| k.starts_with("ASSETRONICS_") || k == "DATABASE_URL";

    let stages = dockerfile(&repo().join("backend/Dockerfile"));
    for (name, service) in server_services(&compose) {
        let env = environment(&service);
        let image_env = built_stage(&stages, &service).env();
        for key in env.keys().chain(image_env.keys()).filter(|k| ours(k)) {
            assert!(
                server_reads.contains(key),
                "{name} sets {key}, which the server does not read"
            );
        }
        // One signing key and one credentials key for every node, from the environment.
        for key in ["ASSETRONICS_JWT_SECRET", "ASSETRONICS_SECRETS_KEY"] {
            let value = env
                .get(key)
                .unwrap_or_else(|| panic!("{name} sets no {key}"));
            assert!(
                value.starts_with(&format!("${{{key}:?")),
                "{name}: {key} must be required from the environment, not {value}"
            );
        }
        let url = &env["DATABASE_URL"];
        let rest = url.strip_prefix("postgres://").expect("a PostgreSQL URL");
        let (credentials, location) = rest.rsplit_once('@').expect("user:password@host");
        let (_, password) = credentials.split_once(':').expect("user:password");
        assert!(
            password.starts_with("${POSTGRES_PASSWORD"),
            "{name}: a password in the URL"
        );
        assert!(location.starts_with("postgres:5432/"), "{name}: {location}");
    }
    // The simulator's image sets only what the simulator reads.
    let sandbox_reads = variables_read_under("integrations/src");
    let sandbox = &compose["services"]["sandbox"];
    for key in built_stage(&stages, sandbox)
        .env()
        .keys()
        .chain(environment(sandbox).keys())
    {
        if ours(key) {
            assert!(
                sandbox_reads.contains(key),
                "the simulator does not read {key}"
            );
        }
    }
    // Nothing secret is written down anywhere in the file.
    for (name, service) in compose["services"].as_hash().expect("services") {
        let name = scalar(name).unwrap_or_default();
        for (key, value) in environment(service) {
            if ["SECRET", "PASSWORD", "_KEY", "TOKEN"]
                .iter()
                .any(|s| key.contains(s))
            {
                assert!(
                    value.starts_with("${") && value.contains(":?"),
                    "{name}: {key} is written down ({value}); require it with ${{{key}:?...}}"
                );
            }
        }
    }
}

/// The web image's template as its entrypoint renders it (frontend/Dockerfile).
fn render(template: &str, api_upstream: &str, resolvers: &str) -> String {
    let config = template
        .replace("${API_UPSTREAM}", api_upstream)
        .replace("${NGINX_LOCAL_RESOLVERS}", resolvers);
    assert!(
        !config.contains("${"),
        "the template uses only the variables the image fills in"
    );
    config
}

/// One nginx directive: name, arguments and block.
#[derive(Debug)]
struct Directive {
    name: String,
    args: Vec<String>,
    block: Vec<Directive>,
}

fn nginx_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars();
    let flush = |word: &mut String, tokens: &mut Vec<String>| {
        if !word.is_empty() {
            tokens.push(std::mem::take(word));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                flush(&mut word, &mut tokens);
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' | '\'' => {
                for q in chars.by_ref() {
                    if q == c {
                        break;
                    }
                    word.push(q);
                }
                tokens.push(std::mem::take(&mut word));
            }
            ';' | '{' | '}' => {
                flush(&mut word, &mut tokens);
                tokens.push(c.to_string());
            }
            c if c.is_whitespace() => flush(&mut word, &mut tokens),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut tokens);
    tokens
}

fn nginx_block(tokens: &mut std::vec::IntoIter<String>) -> Vec<Directive> {
    let mut block = Vec::new();
    let mut words: Vec<String> = Vec::new();
    while let Some(token) = tokens.next() {
        match token.as_str() {
            ";" | "{" => {
                let name = words.remove(0);
                let inner = if token == "{" {
                    nginx_block(tokens)
                } else {
                    vec![]
                };
                block.push(Directive {
                    name,
                    args: std::mem::take(&mut words),
                    block: inner,
                });
            }
            "}" => break,
            _ => words.push(token),
        }
    }
    assert!(words.is_empty(), "unterminated directive {words:?}");
    block
}

fn nginx(text: &str) -> Vec<Directive> {
    nginx_block(&mut nginx_tokens(text).into_iter())
}

impl Directive {
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Directive> + 'a {
        self.block.iter().filter(move |d| d.name == name)
    }
    fn has(&self, name: &str, args: &[&str]) -> bool {
        self.all(name).any(|d| d.args == args)
    }
    /// The location nginx picks for `path` (exact match, else the longest prefix; the
    /// configuration has no regular-expression locations, which this test asserts).
    fn location_for(&self, path: &str) -> &Directive {
        let locations: Vec<&Directive> = self.all("location").collect();
        assert!(
            locations
                .iter()
                .all(|l| matches!(l.args.as_slice(), [_] | [_, _]) && !l.args[0].starts_with('~')),
            "regular-expression locations are not modelled here"
        );
        if let Some(exact) = locations.iter().find(|l| l.args == ["=", path]) {
            return exact;
        }
        locations
            .iter()
            .filter(|l| l.args.len() == 1 && path.starts_with(&l.args[0]))
            .max_by_key(|l| l.args[0].len())
            .unwrap_or_else(|| panic!("no location for {path}"))
    }
}

#[test]
fn compose_web_proxy_routes_the_api_paths_to_the_api_service_with_websocket_upgrades() {
    let compose = yaml("docker-compose.yml");
    let web = &compose["services"]["web"];
    let stages = dockerfile(&repo().join("frontend/Dockerfile"));
    let image = built_stage(&stages, web);
    let template = image
        .instructions
        .iter()
        .filter(|(k, _)| k == "COPY")
        .find_map(|(_, rest)| {
            let parts: Vec<&str> = rest.split_whitespace().collect();
            (parts.last()?.starts_with("/etc/nginx/templates/")).then(|| parts[0].to_owned())
        })
        .expect("the web image installs an nginx template");

    // The upstream is the api service on the port it listens on.
    let upstream = environment(web)
        .get("API_UPSTREAM")
        .cloned()
        .or_else(|| image.env().get("API_UPSTREAM").cloned())
        .expect("API_UPSTREAM");
    let (host, port) = upstream.split_once(':').expect("host:port");
    assert_eq!(host, "api", "the proxy sends to the api service");
    let server_stages = dockerfile(&repo().join("backend/Dockerfile"));
    let server_stage = built_stage(&server_stages, &compose["services"]["api"]);
    let bind = environment(&compose["services"]["api"])
        .get("ASSETRONICS_BIND")
        .cloned()
        .or_else(|| server_stage.env().get("ASSETRONICS_BIND").cloned())
        .expect("the api's bind address");
    assert!(
        bind.ends_with(&format!(":{port}")),
        "api listens on {bind}, proxy sends to {port}"
    );

    let config = nginx(&render(&read(&template), &upstream, "127.0.0.11"));
    let top = Directive {
        name: "main".into(),
        args: vec![],
        block: config,
    };
    assert!(
        top.all("resolver").next().is_some(),
        "a resolver, for the per-request name lookup"
    );
    let upgrade_map = top
        .all("map")
        .find(|m| m.args == ["$http_upgrade", "$connection_upgrade"])
        .expect("map $http_upgrade $connection_upgrade");
    assert!(upgrade_map.has("default", &["upgrade"]));
    let server = top.all("server").next().expect("a server block");
    assert!(
        server.has("listen", &[port]),
        "the proxy listens on the port web publishes"
    );
    assert!(server.has("set", &["$api_upstream", upstream.as_str()]));
    assert!(server.has("proxy_http_version", &["1.1"]));
    assert!(server.has("proxy_set_header", &["Upgrade", "$http_upgrade"]));
    assert!(server.has("proxy_set_header", &["Connection", "$connection_upgrade"]));
    assert!(server.has("proxy_set_header", &["X-Forwarded-For", "$remote_addr"]));

    let proxied = |path: &str| {
        let location = server.location_for(path);
        let to_api = location.has("proxy_pass", &["http://$api_upstream"]);
        if to_api {
            // A location that sets any header of its own loses every header set above it.
            assert!(
                location.all("proxy_set_header").next().is_none(),
                "location {:?} drops the upgrade headers",
                location.args
            );
        }
        to_api
    };
    for path in [
        "/api/v1/assets",
        "/api/graphql",
        "/api/graphql/ws",
        "/api/v1/events/stream",
        "/api/openapi.json",
        "/socket/websocket",
        "/socket/longpoll",
        "/webhooks/bamboohr",
        "/healthz",
        "/readyz",
    ] {
        assert!(proxied(path), "{path} goes to the API");
    }
    for path in [
        "/",
        "/assets/new",
        "/assets/index-abc123.js",
        "/metrics",
        "/favicon.ico",
    ] {
        assert!(!proxied(path), "{path} stays on the proxy");
    }
}

#[test]
fn compose_ci_workflows_run_the_ci_script_and_build_the_images() {
    let ci = yaml(".github/workflows/ci.yml");
    let triggers = keys(&ci["on"]);
    assert!(triggers.contains(&"push".into()) && triggers.contains(&"pull_request".into()));
    let jobs = ci["jobs"].as_hash().expect("jobs");
    let job = jobs
        .values()
        .find(|job| {
            job["steps"].as_vec().is_some_and(|steps| {
                steps
                    .iter()
                    .any(|s| scalar(&s["run"]).is_some_and(|r| r.contains("bash .ci/run")))
            })
        })
        .expect("a job that runs .ci/run");
    let postgres = &job["services"]["postgres"];
    assert!(
        scalar(&postgres["image"]).is_some_and(|i| i.starts_with("postgres:")),
        "a PostgreSQL service for the PostgreSQL half of the suite"
    );
    let pg_url = scalar(&job["env"]["ASSETRONICS_TEST_PG_URL"]).expect("ASSETRONICS_TEST_PG_URL");
    assert!(
        pg_url.contains("@postgres:5432"),
        "the tests reach the service: {pg_url}"
    );
    assert!(read(".ci/run").contains("tests/run.sh"));

    let images = yaml(".github/workflows/images.yml");
    assert!(keys(&images["on"]).contains(&"push".into()));
    let mut files = BTreeSet::new();
    for job in images["jobs"].as_hash().expect("jobs").values() {
        for step in job["steps"].as_vec().expect("steps") {
            if let Some(file) = scalar(&step["with"]["file"]) {
                assert!(repo().join(&file).is_file(), "{file}");
                assert_eq!(
                    step["with"]["push"].as_bool(),
                    Some(false),
                    "{file} is built, not pushed"
                );
                files.insert(file);
            }
        }
    }
    assert_eq!(
        files,
        BTreeSet::from([
            "backend/Dockerfile".to_owned(),
            "frontend/Dockerfile".to_owned()
        ])
    );
}

/// nginx, when installed (Debian: nginx-light).
fn nginx_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|d| d.join("nginx"))
        .find(|p| p.is_file())
}

/// A folder removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Replaces the one occurrence of `from`, failing when the template no longer has it.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "the template has one `{from}`"
    );
    text.replace(from, to)
}

async fn get(
    client: &reqwest::Client,
    url: &str,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let res = client.get(url).send().await.expect("request sent");
    let status = res.status();
    let headers = res.headers().clone();
    (status, headers, res.text().await.expect("body"))
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The web proxy's configuration, rendered as the nginx image renders it, in front of a real
/// server: the app's files, its client-side routes, the API over HTTP, WebSocket (Phoenix and
/// GraphQL) and long-poll, health, no metrics, and a client address nobody can forge.
#[tokio::test]
async fn compose_web_proxy_in_front_of_a_real_server() {
    let Some(nginx) = nginx_binary() else {
        eprintln!("skipped: nginx is not installed (Debian: apt-get install nginx-light)");
        return;
    };
    let app = spawn_app_with(|s| s.trust_proxy = true).await;
    let scratch = Scratch(
        std::env::temp_dir().join(format!("assetronics-web-{}", uuid::Uuid::new_v4().simple())),
    );
    let dir = &scratch.0;
    let html = dir.join("html");
    std::fs::create_dir_all(html.join("assets")).expect("html dir");
    std::fs::create_dir_all(dir.join("temp")).expect("temp dir");
    std::fs::write(
        html.join("index.html"),
        "<!doctype html><div id=\"app\">web app index</div>",
    )
    .expect("index");
    std::fs::write(html.join("assets/index-abc123.js"), "console.log('bundle')").expect("bundle");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let upstream = app.address.trim_start_matches("http://");
    let config = render(&read("frontend/nginx.conf.template"), upstream, "127.0.0.1");
    let config = replace_once(
        &config,
        "listen 8080;",
        &format!("listen 127.0.0.1:{port};"),
    );
    let config = replace_once(
        &config,
        "root /usr/share/nginx/html;",
        &format!("root {};", html.display()),
    );
    std::fs::write(dir.join("default.conf"), config).expect("write config");
    let temp = dir.join("temp").display().to_string();
    let mime = Path::new("/etc/nginx/mime.types");
    let main = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log stderr warn;\nevents {{ worker_connections 256; }}\n\
         http {{\n{mime}access_log off;\nclient_body_temp_path {temp}/body;\nproxy_temp_path {temp}/proxy;\n\
         fastcgi_temp_path {temp}/fastcgi;\nuwsgi_temp_path {temp}/uwsgi;\nscgi_temp_path {temp}/scgi;\ninclude {d}/default.conf;\n}}\n",
        d = dir.display(),
        mime = if mime.exists() {
            format!("include {};\n", mime.display())
        } else {
            String::new()
        },
    );
    std::fs::write(dir.join("nginx.conf"), main).expect("write main config");
    let mut proxy = tokio::process::Command::new(&nginx)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .args(["-e", "stderr"])
        .kill_on_drop(true)
        .spawn()
        .expect("start nginx");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let _healthy = until_within(
        Duration::from_secs(15),
        "nginx to answer /healthz",
        || async {
            client
                .get(format!("{base}/healthz"))
                .send()
                .await
                .map(|r| r.status())
                .map_err(|e| e.to_string())
        },
        |answer| {
            if let Some(status) = proxy.try_wait().expect("nginx status") {
                panic!("nginx exited: {status}");
            }
            answer.as_ref().is_ok_and(|s| s.is_success())
        },
    )
    .await;

    // The web app: files, client-side routes (also under /assets/) and caching.
    let (status, headers, body) = get(&client, &format!("{base}/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("web app index"), "{body}");
    assert_eq!(header(&headers, "cache-control"), "no-cache");
    let (status, headers, body) = get(&client, &format!("{base}/assets/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("web app index"),
        "a client-side route: {body}"
    );
    assert_eq!(
        header(&headers, "cache-control"),
        "no-cache",
        "never cached as a build file"
    );
    let (status, headers, body) = get(&client, &format!("{base}/assets/index-abc123.js")).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "console.log('bundle')")
    );
    assert!(header(&headers, "cache-control").contains("immutable"));

    // Health and readiness of the API behind; metrics stay internal.
    let (status, _, body) = get(&client, &format!("{base}/readyz")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).ok(),
        Some(json!({"status": "ready"}))
    );
    assert_eq!(
        get(&client, &format!("{base}/metrics")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&client, &app.url("/metrics")).await.0,
        StatusCode::OK,
        "the API has them"
    );

    // API paths reach the API (its problem+json), not the web app's HTML.
    for path in ["/api/v1/no-such-thing", "/webhooks/bamboohr"] {
        let (status, headers, _) = get(&client, &format!("{base}{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            header(&headers, "content-type").starts_with("application/problem+json"),
            "{path}"
        );
    }

    // Sign up through the proxy.
    let res = client
        .post(format!("{base}/api/v1/auth/signup"))
        .json(&json!({"organization_name": "Acme", "name": "Olive Owner", "email": "owner@web.example", "password": PASSWORD}))
        .send()
        .await
        .expect("signup");
    assert_eq!(res.status(), StatusCode::CREATED);
    let signup: Value = res.json().await.expect("json");
    let token = signup["access_token"].as_str().expect("token").to_owned();
    let tenant = signup["tenant"]["id"].as_str().expect("tenant").to_owned();
    // Phoenix channels over WebSocket through the proxy.
    let mut ws = socket::joined(&base, &token, &format!("assets:{tenant}")).await;

    // And over long-poll, with the official client.
    let mut longpoll = node::start("phoenix-client.mjs", &[&base, &token, &tenant, "longpoll"]);
    longpoll.expect("joined").await;
    let res = client
        .post(format!("{base}/api/v1/assets"))
        .bearer_auth(&token)
        .json(&json!({"name": "seen through the proxy"}))
        .send()
        .await
        .expect("create asset");
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.expect("json");
    assert_eq!(
        socket::recv_event(&mut ws, "asset_created").await[4]["asset"],
        created
    );
    assert_eq!(
        longpoll.expect("asset_created").await["payload"]["asset"],
        created
    );

    // A client cannot choose its recorded address: the forwarding headers it sends are
    // replaced by the proxy, though the API trusts them.
    let recorded_ip = |via: String| {
        let client = client.clone();
        let token = token.clone();
        async move {
            let res = client
                .post(format!("{via}/api/v1/assets"))
                .bearer_auth(&token)
                .header("X-Forwarded-For", "203.0.113.7")
                .header("Forwarded", "for=198.51.100.9")
                .json(&json!({"name": "forwarded"}))
                .send()
                .await
                .expect("create asset");
            assert_eq!(res.status(), StatusCode::CREATED);
            let asset: Value = res.json().await.expect("json");
            let audit = client
                .get(format!(
                    "{via}/api/v1/audit-events?entity_id={}",
                    id(&asset)
                ))
                .bearer_auth(&token)
                .send()
                .await
                .expect("audit")
                .json::<Value>()
                .await
                .expect("json");
            audit["data"][0]["ip"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let forged = recorded_ip(app.address.clone()).await;
    assert!(
        ["198.51.100.9", "203.0.113.7"].contains(&forged.as_str()),
        "straight to the API, a forged header is believed: {forged}"
    );
    assert_eq!(
        recorded_ip(base.clone()).await,
        "127.0.0.1",
        "through the proxy, the real address"
    );

    // GraphQL subscriptions' WebSocket (graphql-transport-ws) through the proxy.
    let mut request = format!("ws://127.0.0.1:{port}/api/graphql/ws")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut gql, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("GraphQL WebSocket through the proxy");
    assert_eq!(
        header(response.headers(), "sec-websocket-protocol"),
        "graphql-transport-ws"
    );
    gql.send(tungstenite::Message::Text(
        json!({"type": "connection_init", "payload": {"token": token}})
            .to_string()
            .into(),
    ))
    .await
    .expect("send");
    let ack = tokio::time::timeout(Duration::from_secs(5), gql.next())
        .await
        .expect("an answer in time")
        .expect("a frame")
        .expect("a message");
    let ack: Value = serde_json::from_str(ack.to_text().expect("text")).expect("json");
    assert_eq!(ack["type"], "connection_ack");
}
