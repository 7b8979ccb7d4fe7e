//! The zhtext binary: parse the command line, set up logging, bind, and run
//! the server (or a local command). Everything else lives in the library.

use clap::Parser;
use tokio::net::TcpListener;
use zhtext::{
    cli::{Cli, Command},
    server::{self, ServerSettings},
    telemetry,
};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let serve = match cli.command {
        None => cli.serve,
        Some(Command::Serve(config)) => config,
        Some(command) => return zhtext::cli::run_local(command),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(serve.listen).await?;
        let settings = ServerSettings {
            max_text_bytes: serve.max_text_bytes,
        };
        server::run(listener, settings, server::load_pipeline(), shutdown_signal()).await
    })
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
