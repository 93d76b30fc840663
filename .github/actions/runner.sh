#!/usr/bin/env bash
# The runner's protocol for the composites' scripts, in one place (sourced, not run): workflow
# commands with their data and properties escaped as the runner unescapes them, and GITHUB_ENV
# entries in the delimited form, so no value from an input or a secret can end a command early,
# start another one, or add a variable.

# Data of a workflow command: % first, then CR and LF.
runner_data() {
  local s="${1//%/%25}"
  s="${s//$'\r'/%0D}"
  printf '%s' "${s//$'\n'/%0A}"
}

# A property of a workflow command (title=…): its data escaping, and : and , too.
runner_property() {
  local s
  s="$(runner_data "$1")"
  s="${s//:/%3A}"
  printf '%s' "${s//,/%2C}"
}

# annotate LEVEL TITLE MESSAGE: an error, warning or notice annotation.
annotate() {
  printf '::%s title=%s::%s\n' "$1" "$(runner_property "$2")" "$(runner_data "$3")"
}

# group TITLE / endgroup: a foldable group of the log.
group() { printf '::group::%s\n' "$(runner_data "$1")"; }
endgroup() { printf '::endgroup::\n'; }

# mask VALUE: the runner masks VALUE in every later line of the log.
mask() { [ -z "$1" ] || printf '::add-mask::%s\n' "$(runner_data "$1")"; }

# export_env NAME VALUE: NAME=VALUE for the job's later steps, in GITHUB_ENV's delimited form.
export_env() {
  local delimiter
  delimiter="ghadelimiter_$(cat /proc/sys/kernel/random/uuid)"
  printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >>"$GITHUB_ENV"
}
