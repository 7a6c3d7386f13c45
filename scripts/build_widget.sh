#!/usr/bin/env bash
# Build the web widget (web/widget → web/widget/dist/kefu-widget.js) with Node.js 20+ and npm:
# `npm ci` from the lock file, then the bundler. Skipped when nothing changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/../web/widget"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "构建网页客服小部件需要 Node.js 20 和 npm，本机没有找到。请安装 Node.js 20 后重新运行（Debian：按 https://nodejs.org/en/download 的说明安装）。" >&2
  exit 1
fi
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
if [ "$NODE_MAJOR" -lt 20 ]; then
  echo "构建网页客服小部件需要 Node.js 20 或更新版本（当前 $(node --version)）。请升级 Node.js 后重新运行。" >&2
  exit 1
fi

LOCK_STAMP=$(sha256sum package.json package-lock.json | sha256sum | cut -c1-16)
if [ "$(cat node_modules/.kefu-stamp 2>/dev/null)" != "$LOCK_STAMP" ]; then
  echo "==> Installing the widget's npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$LOCK_STAMP" > node_modules/.kefu-stamp
fi

BUILD_STAMP=$( (echo "$LOCK_STAMP"; find src build.mjs -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
if [ "$(cat dist/.kefu-stamp 2>/dev/null)" != "$BUILD_STAMP" ] || [ ! -f dist/kefu-widget.js ]; then
  echo "==> Building the web widget"
  npm run --silent build
  echo "$BUILD_STAMP" > dist/.kefu-stamp
fi
