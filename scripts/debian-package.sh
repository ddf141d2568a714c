# Sourced by the server scripts. install_debian_package PACKAGE COMMAND ENV_VAR: installs Debian's
# PACKAGE when COMMAND is missing (root only; otherwise says to set ENV_VAR). The package lists are
# refreshed at most once an hour, so a run that installs two servers updates them once.
install_debian_package() {
  local package=$1 command=$2 variable=$3
  command -v "$command" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "$package is not installed and this is not root: install it or set $variable" >&2
    exit 1
  fi
  echo "Installing $package (Debian package)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null | head -n 1)" ]; then
    apt-get update -qq >&2
  fi
  apt-get install -y -qq "$package" >&2
}
