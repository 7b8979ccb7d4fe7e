//! The zhtext binary: parse the command line, set up logging, bind, and run
//! the server (or a local command). Everything else lives in the library.

use std::time::Duration;

use clap::Parser;
use tokio::net::TcpListener;
use zhtext::{
    cli::{Cli, Command},
    reload::DictionarySources,
    server::{self, ServerSettings, TlsSettings},
    telemetry,
};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let serve = match cli.command {
        None => cli.serve,
        Some(Command::Serve(config)) => config,
        Some(command) => {
            telemetry::init(cli.log_format);
            return zhtext::cli::run_local(command);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    // The span exporter's gRPC channel is created on, and runs on, this runtime.
    let telemetry = {
        let _entered = runtime.enter();
        telemetry::init_with_export(cli.log_format)?
    };
    let result = runtime.block_on(async move {
        let tls = match (&serve.tls_cert, &serve.tls_key) {
            (Some(cert), Some(key)) => Some(TlsSettings::read(cert, key, serve.tls_client_ca.as_deref())?),
            _ => None,
        };
        let listener = TcpListener::bind(serve.listen).await?;
        let metrics_listener = match serve.metrics_listen.0 {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        let dictionaries = DictionarySources {
            user_dicts: serve.user_dicts.clone(),
            dict_dir: serve.dict_dir.clone(),
        };
        let settings = ServerSettings {
            max_text_bytes: serve.max_text_bytes,
            dictionaries: dictionaries.clone(),
            dictionary_poll: Duration::from_secs(serve.dict_poll_secs),
            metrics_listener,
            max_concurrency: serve.max_concurrency(),
            workers: serve.workers(),
            shutdown_grace: serve.shutdown_grace(),
            max_connection_age: serve.max_connection_age(),
            tls,
            ..ServerSettings::default()
        };
        server::run(
            listener,
            settings,
            server::load_pipeline(dictionaries),
            shutdown_signal(),
        )
        .await
    });
    telemetry.shutdown();
    // Work abandoned at the end of the grace period must not hold the exit.
    runtime.shutdown_timeout(Duration::from_millis(500));
    result
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (what Kubernetes sends).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
