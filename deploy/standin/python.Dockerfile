# Stand-in for python:3.11-slim-bookworm (no image registry here): Debian's python3.11 + venv.
# Debian's interpreter is /usr/bin/python3, the official image's /usr/local/bin/python3: the
# project's Dockerfile works with both (it installs into its own venv).
FROM cdot-standin/debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.11 python3.11-venv python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8
CMD ["python3"]
