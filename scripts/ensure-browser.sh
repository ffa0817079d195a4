#!/usr/bin/env bash
# The console tests drive a real Chromium (Debian's package, never a
# downloaded build) and need a CJK font so screenshots show Chinese text.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-browser: please install ${missing[*]} (apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  echo "ensure-browser: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
