# syntax=docker/dockerfile:1
# Multi-stage build: compile a release binary (dictionaries and models are
# embedded in it), then run it as a non-root user in a slim image.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Build the dependencies first, from the manifests alone, so that changing
# the code does not rebuild them (Docker layer cache).
COPY Cargo.toml Cargo.lock build.rs ./
COPY proto ./proto
RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src target/release/.fingerprint/zhtext-* target/release/deps/zhtext-* target/release/deps/libzhtext-*
COPY src ./src
RUN cargo build --release --locked && cp target/release/zhtext /usr/local/bin/zhtext

FROM debian:bookworm-slim AS runtime
# No packages needed: the binary links only glibc and carries its
# dictionaries and models inside; the image only adds an unprivileged user.
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin zhtext
COPY --from=build /usr/local/bin/zhtext /usr/local/bin/zhtext
USER 10001:10001
ENV ZHTEXT_LISTEN=0.0.0.0:50051 \
    ZHTEXT_METRICS_LISTEN=0.0.0.0:9090 \
    ZHTEXT_LOG_FORMAT=json
EXPOSE 50051 9090
ENTRYPOINT ["/usr/local/bin/zhtext"]
CMD ["serve"]
