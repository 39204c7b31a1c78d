# shellcheck shell=bash
# scripts/lib/prometheus.sh: the tools the alerting tests drive — Debian's promtool (package prometheus) and amtool
# (package prometheus-alertmanager). The tests only run the command-line checkers; no Prometheus server is started,
# and the policy-rc.d of _press_apt_install keeps the packages from starting their system services.
# Sourced by testservices.sh, after services.sh.

# press_install_prometheus_tools: apt's prometheus and prometheus-alertmanager, once.
press_install_prometheus_tools() {
  command -v promtool >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1 && return 0
  _press_require_root press_install_prometheus_tools
  press_log "installing prometheus and prometheus-alertmanager (apt, for promtool and amtool)"
  _press_apt_install --no-install-recommends prometheus prometheus-alertmanager
}
