# shellcheck shell=bash
# scripts/lib/browser.sh: what the login tests need besides the servers — Debian's Chromium (Playwright drives
# /usr/bin/chromium and never downloads a browser) and the test OpenID Connect provider's npm packages
# (tests/oidc-provider: oidc-provider, installed from its lock file), and the OpenAPI tests' npm tools (tests/openapi).
# Sourced by testservices.sh, after services.sh.

# press_install_chromium: apt's chromium, once.
press_install_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  _press_require_root press_install_chromium
  press_log "installing chromium (apt)"
  _press_apt_install chromium
}

# press_install_test_oidc_provider: `npm ci` in tests/oidc-provider, skipped while node_modules matches the lock file.
press_install_test_oidc_provider() {
  _press_npm_ci tests/oidc-provider "the test OIDC provider"
}

# press_install_openapi_tools: `npm ci` in tests/openapi (Redocly's linter, openapi-typescript, openapi-fetch,
# TypeScript), which the OpenAPI document tests run.
press_install_openapi_tools() {
  _press_npm_ci tests/openapi "the OpenAPI tools"
}

# _press_npm_ci DIR WHAT: `npm ci` in DIR (relative to the repository), skipped while node_modules matches its lock file.
_press_npm_ci() {
  local dir="$PRESS_REPO/$1" what="$2"
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    press_die "node and npm are needed for $what ($1)"
  fi
  if (cd "$dir" && sha256sum --check --status node_modules/.press-lock.sha256 2>/dev/null); then
    return 0
  fi
  press_log "installing $what's npm packages (npm ci in $1)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || press_die "npm ci in $1 failed"
  (cd "$dir" && sha256sum package-lock.json >node_modules/.press-lock.sha256)
}
