# syntax=docker/dockerfile:1
# marquee in a container: built in one stage, run from a slim one as an unprivileged user, with
# the database on a volume (/data).
#
#   docker build -t marquee .
#   docker volume create marquee-data
#   docker run --rm -v marquee-data:/data -v "$PWD/reviews:/reviews:ro" marquee import /reviews
#   docker run -d --name marquee --restart on-failure -e DISCORD_TOKEN -v marquee-data:/data marquee
#
# Over HTTP instead of a gateway (put an HTTPS proxy in front of port 8080):
#   docker run -d -e DISCORD_TOKEN -e DISCORD_PUBLIC_KEY -p 127.0.0.1:8080:8080 \
#       -v marquee-data:/data marquee serve --transport http --listen 0.0.0.0:8080

ARG RUST_VERSION=1.95
ARG DEBIAN=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN} AS build
WORKDIR /src
COPY . .
# The crates and the build directory are cached between builds (BuildKit), so a change to the
# code recompiles marquee alone.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked --bin marquee \
    && install -m 755 target/release/marquee /usr/local/bin/marquee

FROM debian:${DEBIAN}-slim
# TLS roots are compiled in (webpki-roots); nothing else is needed at run time.
RUN groupadd --gid 10001 marquee \
    && useradd --uid 10001 --gid marquee --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin marquee \
    && mkdir -p /data && chown marquee:marquee /data
COPY --from=build /usr/local/bin/marquee /usr/local/bin/marquee
USER marquee:marquee
WORKDIR /data
VOLUME ["/data"]
ENV DATABASE_URL=sqlite:///data/marquee.db \
    RUST_LOG=warn,marquee=info
# 8080: `serve --transport http`; 9100: /healthz and /metrics with MARQUEE__OPS__LISTEN=0.0.0.0:9100.
EXPOSE 8080 9100
# SIGTERM stops serve cleanly (exit 0); a task that fails exits 2, for --restart on-failure.
STOPSIGNAL SIGTERM
ENTRYPOINT ["marquee"]
CMD ["serve"]
