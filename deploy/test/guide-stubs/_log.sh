# Sourced by every stub: append "<tool> <args>" to the call log, one line per call.
printf '%s' "$(basename "$0")" >>"$STATE/calls.log"
printf ' %q' "$@" >>"$STATE/calls.log"
printf '\n' >>"$STATE/calls.log"
