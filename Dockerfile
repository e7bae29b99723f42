# livechat in a container: one static program with the web app built in
# (make release), on a distroless base, run as a non-root user.
#
#   docker build -t livechat --build-arg VERSION=$(git describe --always --dirty) .
#   docker run -d --name livechat -p 8080:8080 -v livechat-data:/data \
#     -e LIVECHAT_ALLOWED_HOSTS=chat.example.com livechat
#
# It listens on 0.0.0.0:8080 inside the container, where any Host header
# is allowed unless LIVECHAT_ALLOWED_HOSTS names the site's host names
# (set it: it keeps DNS-rebinding pages out). Every flag has its variable
# (see the README). The image has no shell or HTTP client, so it has no
# HEALTHCHECK: have the orchestrator or load balancer ask GET /readyz (200
# while the message store answers, else 503) or GET /healthz.
#
# Backups: stop the container, then
#   docker run --rm -v livechat-data:/data -v "$PWD":/backup livechat \
#     backup -o /backup/livechat.backup
# and start it again (restore: `restore -i /backup/livechat.backup`).

# The Go version here follows go.mod (a test checks it).
FROM golang:1.26-bookworm AS build
WORKDIR /src
# A static program, for a base without a C library.
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# The same build as on a workstation: the web app, its compressed copies,
# then the program with the app in it (bin/livechat).
RUN make release VERSION="$VERSION"
# The data directory, for the non-root user of the final image (65532).
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/bin/livechat /livechat
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV LIVECHAT_ADDR=0.0.0.0:8080 \
    LIVECHAT_DATA=/data
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/livechat"]
