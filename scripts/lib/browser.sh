# shellcheck shell=bash
# scripts/lib/browser.sh: what the login tests need besides the servers — Debian's Chromium (Playwright drives
# /usr/bin/chromium and never downloads a browser) and the test OpenID Connect provider's npm packages
# (tests/oidc-provider: oidc-provider, installed from its lock file). Sourced by testservices.sh, after services.sh.

# press_install_chromium: apt's chromium, once.
press_install_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  _press_require_root press_install_chromium
  press_log "installing chromium (apt)"
  _press_apt_install chromium
}

# press_install_test_oidc_provider: `npm ci` in tests/oidc-provider, skipped while node_modules matches the lock file.
press_install_test_oidc_provider() {
  local dir="$PRESS_REPO/tests/oidc-provider"
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    press_die "node and npm are needed for the test OIDC provider (tests/oidc-provider)"
  fi
  if (cd "$dir" && sha256sum --check --status node_modules/.press-lock.sha256 2>/dev/null); then
    return 0
  fi
  press_log "installing the test OIDC provider's npm packages (npm ci in tests/oidc-provider)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || press_die "npm ci in tests/oidc-provider failed"
  (cd "$dir" && sha256sum package-lock.json >node_modules/.press-lock.sha256)
}
