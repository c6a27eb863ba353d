#!/usr/bin/env bash
# Smoke test of a running todo-app, from outside: the web UI, readiness, sign-up, and the overdue agent's
# suggestion for a task that was due yesterday, which travels api -> outbox -> pub/sub -> agent -> database.
#
#   deploy/smoke.sh BASE_URL [READY_URL]
#     BASE_URL   where the app answers: https://todo.example.com (web at /, API under /api)
#     READY_URL  the api's /ready, which the gateway does not route: after
#                `kubectl -n todo port-forward svc/todo-api 4000:4000`, http://127.0.0.1:4000/ready
#   SMOKE_WEB=0 skips the web check (an API-only server); SMOKE_TIMEOUT (seconds, default 60) bounds the wait
#   for the suggestion; SMOKE_READY_RETRIES (default 10, one a second) the wait for READY_URL.
# It signs up a new account (smoke+<time>@example.com) each run. Needs curl and jq.
set -euo pipefail

base=${1:?usage: deploy/smoke.sh BASE_URL [READY_URL]}
base=${base%/}
ready=${2:-}
timeout=${SMOKE_TIMEOUT:-60}
fail() {
  echo "smoke: $*" >&2
  exit 1
}

if [ -n "$ready" ]; then
  # Retried for a few seconds: a port-forward started just before may not listen yet.
  curl -fsS --retry "${SMOKE_READY_RETRIES:-10}" --retry-connrefused --retry-delay 1 "$ready" >/dev/null || fail "$ready is not ready: kubectl -n todo logs deploy/todo-api -c api"
  echo "smoke: ready"
fi

if [ "${SMOKE_WEB:-1}" != 0 ]; then
  curl -fsS "$base/" | grep -qi '<!doctype html' || fail "$base/ does not serve the web UI"
  echo "smoke: web UI"
fi

email="smoke+$(date -u +%Y%m%d%H%M%S)-$RANDOM@example.com"
token=$(curl -fsS -X POST "$base/api/auth/sign-up" -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"smoke-test-password-$RANDOM$RANDOM\",\"name\":\"Smoke test\"}" | jq -j .token) ||
  fail "sign-up failed"
[ -n "$token" ] || fail "sign-up answered no token"
echo "smoke: signed up $email"

# GNU date, else BSD date (macOS).
yesterday=$(date -u -d yesterday +%Y-%m-%dT09:00:00Z 2>/dev/null || date -u -v-1d +%Y-%m-%dT09:00:00Z)
task=$(curl -fsS -X POST "$base/api/tasks" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d "{\"title\":\"Smoke test: pay the electricity bill\",\"dueDate\":\"$yesterday\"}" | jq -j .id) ||
  fail "creating a task failed"
echo "smoke: created task $task, due $yesterday"

for ((i = 1; i <= timeout; i++)); do
  if curl -fsS "$base/api/suggestions" -H "authorization: Bearer $token" |
    jq -e --arg task "$task" '.items[] | select(.taskId == $task and .type == "overdue")' >/dev/null; then
    echo "smoke: overdue suggestion after ${i} s: ok"
    exit 0
  fi
  sleep 1
done
fail "no overdue suggestion for task $task after $timeout s: check the agent and its sidecar (kubectl -n todo logs deploy/todo-agent -c agent, -c daprd)"
