# Sourced (". tools/timing.sh") by the tools that run in phases.
#   phase NAME   prints "== NAME" and ends the phase before it, noting its time
#   timings      ends the current phase and prints every phase's time and the total
#   phase_now    the name of the phase running (for a failure message)
# Whole seconds from date(1): enough for phases of seconds to minutes.
_t_start=$(date +%s)
_t_at=$_t_start
_t_phase=""
_t_list=""

phase() {
  _t_now=$(date +%s)
  if [ -n "$_t_phase" ]; then
    _t_list="$_t_list$(printf '%6d s  %s' $((_t_now - _t_at)) "$_t_phase")
"
  fi
  _t_phase=${1:-}
  _t_at=$_t_now
  if [ -n "$_t_phase" ]; then echo "== $_t_phase"; fi
}

phase_now() {
  echo "$_t_phase"
}

timings() {
  phase ""
  printf '%s' "$_t_list"
  printf '%6d s  total\n' $(($(date +%s) - _t_start))
}
