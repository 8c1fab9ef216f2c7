#!/bin/bash
# One element of a segsweep job array: runs `segsweep exec-task` on this element's spec file.
# Arguments: NODE SEGSWEEP_CLI SPEC_LIST, where SPEC_LIST has one spec path per line and line
# N+1 belongs to element N. The exit code goes to SPEC.exit as well, because the controller
# forgets finished jobs after MinJobAge and accounting (sacct) may be off.
set -u
spec=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$3")
if [[ -z $spec ]]; then
  echo "no spec for array index $SLURM_ARRAY_TASK_ID in $3" >&2
  exit 2
fi
"$1" "$2" exec-task --spec "$spec"
code=$?
echo "$code" > "$spec.exit"
exit "$code"
