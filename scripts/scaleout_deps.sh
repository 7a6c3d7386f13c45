#!/usr/bin/env bash
# The scale-out configuration (docs/scale-out.md) puts Debian's nginx in front of the Rasa and
# action servers. Installs it when missing and this runs as root with apt; else names the command.
# PostgreSQL and Redis are services of the machine: this only says when they do not answer.
set -euo pipefail
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  COMMAND="apt-get update && apt-get install -y nginx"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing nginx for the scale-out configuration"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
    # Debian starts the packaged service on port 80; Kefu runs its own nginx with its own config.
    (command -v systemctl >/dev/null 2>&1 && systemctl disable --now nginx >/dev/null 2>&1) || true
    (service nginx stop >/dev/null 2>&1) || true
  else
    echo "横向扩展需要 Debian 的 nginx。请以 root 运行：$COMMAND" >&2
    exit 1
  fi
fi
