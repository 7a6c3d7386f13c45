#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (no browser download) and need Chinese fonts for
# screenshots. Installs them when missing and this runs as root with apt; else names the command.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 \
  || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0

COMMAND="apt-get update && apt-get install -y ${missing[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> Installing ${missing[*]} for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "浏览器测试需要 Debian 的 Chromium 和中文字体。请以 root 运行：$COMMAND" >&2
  exit 1
fi
