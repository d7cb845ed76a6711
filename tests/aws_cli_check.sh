#!/usr/bin/env bash
# Independent-client check of `mturk-triage sim`: the AWS CLI v1 (and boto3 when importable)
# against a sim on 127.0.0.1. Run after `cargo build`:
#
#   MTURK_TRIAGE_BIN=target/debug/mturk-triage tests/aws_cli_check.sh
#
# Needs `aws` on PATH (e.g. `python3 -m venv .venv && .venv/bin/pip install awscli boto3`, then
# PATH=.venv/bin:$PATH). A missing `aws` is a failure, never a skip.
set -euo pipefail

fail() {
    echo "aws_cli_check: FAIL: $*" >&2
    exit 1
}
say() { echo "aws_cli_check: $*"; }

cd "$(dirname "$0")/.."

[[ -n "${MTURK_TRIAGE_BIN:-}" ]] || fail "MTURK_TRIAGE_BIN is not set (path to the debug binary)"
[[ -x "$MTURK_TRIAGE_BIN" ]] || fail "MTURK_TRIAGE_BIN=$MTURK_TRIAGE_BIN is not an executable file"
command -v aws >/dev/null 2>&1 || fail "the 'aws' command (AWS CLI) is not installed or not on PATH"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed for the JSON checks"

# Dummy credentials; nothing may look for real ones or reach another host.
export AWS_ACCESS_KEY_ID=AKIDMTURKTRIAGECHECK
export AWS_SECRET_ACCESS_KEY=mturk-triage-check-not-a-secret
export AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_MTURK 2>/dev/null || true

tmp="$(mktemp -d)"
sim_pid=""
cleanup() {
    if [[ -n "$sim_pid" ]] && kill -0 "$sim_pid" 2>/dev/null; then
        kill -TERM "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "$(aws --version 2>&1)"

"$MTURK_TRIAGE_BIN" sim --listen 127.0.0.1:0 --forms assets/real --requests 250 \
    --record "$tmp/rec.jsonl" >"$tmp/sim.out" 2>"$tmp/sim.err" &
sim_pid=$!

url=""
for _ in $(seq 1 100); do
    if [[ -s "$tmp/sim.out" ]] && [[ "$(tail -c1 "$tmp/sim.out" | od -An -c | tr -d ' ')" == '\n' ]]; then
        url="$(head -n1 "$tmp/sim.out")"
        break
    fi
    kill -0 "$sim_pid" 2>/dev/null || fail "the sim exited early: $(cat "$tmp/sim.err")"
    sleep 0.1
done
[[ -n "$url" ]] || fail "the sim printed no URL within 10 s: $(cat "$tmp/sim.err")"
[[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || fail "first stdout line is not the endpoint URL: '$url'"
say "sim at $url (pid $sim_pid)"

mt() { aws mturk "$@" --endpoint-url "$url" --output json; }

# 1. Auto-paginated listing: all 250, unique ids (default page size, then --page-size 100).
mt list-qualification-requests >"$tmp/list.json"
mt list-qualification-requests --page-size 100 >"$tmp/list100.json"
python3 - "$tmp/list.json" "$tmp/list100.json" <<'PY'
import json, sys
ids = []
for path in sys.argv[1:]:
    doc = json.load(open(path))
    reqs = doc["QualificationRequests"]
    got = [r["QualificationRequestId"] for r in reqs]
    assert len(got) == 250, f"{path}: {len(got)} requests, want 250"
    assert len(set(got)) == 250, f"{path}: duplicate ids"
    for r in reqs:
        assert r["WorkerId"].startswith("A"), r["WorkerId"]
        assert isinstance(r["SubmitTime"], (int, float)), r["SubmitTime"]
        assert r["Test"].lstrip().startswith("<"), "Test is the QuestionForm"
    ids.append(got)
assert ids[0] == ids[1], "order differs between page sizes"
print("aws_cli_check: list: 250 unique requests, same order with both page sizes")
PY

# 1b. The Rust SDK (through `mturk-triage list`) lists exactly the same requests, in the same
#     order, with the same fields.
"$MTURK_TRIAGE_BIN" list --endpoint-url "$url" --format json --full >"$tmp/rust.json" 2>"$tmp/rust.err" \
  || fail "mturk-triage list failed: $(cat "$tmp/rust.err")"
python3 - "$tmp/list.json" "$tmp/rust.json" <<'PY'
import json, sys
cli = json.load(open(sys.argv[1]))["QualificationRequests"]
rust = json.load(open(sys.argv[2]))
assert len(rust) == len(cli) == 250, (len(rust), len(cli))
for a, b in zip(cli, rust):
    for k in ("QualificationRequestId", "QualificationTypeId", "WorkerId", "Test", "Answer"):
        assert a.get(k, "") == b.get(k, ""), f"{k} differs for {a['QualificationRequestId']}"
    assert int(a["SubmitTime"]) == int(b["SubmitTimeEpoch"]), (a["SubmitTime"], b["SubmitTimeEpoch"])
print("aws_cli_check: the Rust SDK lists the same 250 requests, in the same order, field for field")
PY

read -r acc_id acc_worker acc_type rej_id < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["QualificationRequests"]
print(r[0]["QualificationRequestId"], r[0]["WorkerId"], r[0]["QualificationTypeId"], r[1]["QualificationRequestId"])
' "$tmp/list.json")

# 2. Accept with IntegerValue 7, reject with a reason.
mt accept-qualification-request --qualification-request-id "$acc_id" --integer-value 7 >/dev/null
mt reject-qualification-request --qualification-request-id "$rej_id" \
    --reason "Two answers were wrong, sorry." >/dev/null
say "accepted $acc_id, rejected $rej_id"

# 3. The score is 7.
mt get-qualification-score --qualification-type-id "$acc_type" --worker-id "$acc_worker" >"$tmp/score.json"
python3 - "$tmp/score.json" "$acc_type" "$acc_worker" <<'PY'
import json, sys
q = json.load(open(sys.argv[1]))["Qualification"]
assert q["IntegerValue"] == 7, q
assert q["Status"] == "Granted", q
assert q["QualificationTypeId"] == sys.argv[2] and q["WorkerId"] == sys.argv[3], q
print("aws_cli_check: get-qualification-score: IntegerValue 7")
PY

# 4. A second accept fails with RequestError and exit code 255.
set +e
mt accept-qualification-request --qualification-request-id "$acc_id" >/dev/null 2>"$tmp/err2.txt"
rc=$?
set -e
[[ $rc -eq 255 ]] || fail "second accept exited $rc, want 255 ($(cat "$tmp/err2.txt"))"
grep -q "RequestError" "$tmp/err2.txt" || fail "second accept: no RequestError in stderr: $(cat "$tmp/err2.txt")"
say "second accept: exit 255, $(tr -d '\n' <"$tmp/err2.txt" | cut -c1-160)"

# 5. The listing lost exactly those two.
mt list-qualification-requests --page-size 100 >"$tmp/list2.json"
python3 - "$tmp/list2.json" "$acc_id" "$rej_id" <<'PY'
import json, sys
ids = [r["QualificationRequestId"] for r in json.load(open(sys.argv[1]))["QualificationRequests"]]
assert len(ids) == 248 and len(set(ids)) == 248, len(ids)
assert sys.argv[2] not in ids and sys.argv[3] not in ids
print("aws_cli_check: list after deciding: 248")
PY

# 6. boto3, when importable (CI installs it next to awscli).
py=""
aws_dir="$(dirname "$(command -v aws)")"
for cand in "$aws_dir/python3" "$aws_dir/python" python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import boto3' 2>/dev/null; then
        py="$cand"
        break
    fi
done
if [[ -n "$py" ]]; then
    "$py" - "$url" "$acc_id" <<'PY'
import sys
import boto3
url, decided = sys.argv[1], sys.argv[2]
c = boto3.client("mturk", endpoint_url=url, region_name="us-east-1")
pages = list(c.get_paginator("list_qualification_requests").paginate(PaginationConfig={"PageSize": 100}))
assert [p["NumResults"] for p in pages] == [100, 100, 48], [p["NumResults"] for p in pages]
ids = [r["QualificationRequestId"] for p in pages for r in p["QualificationRequests"]]
assert len(ids) == 248 and len(set(ids)) == 248
assert all(hasattr(r["SubmitTime"], "tzinfo") for p in pages for r in p["QualificationRequests"])
try:
    c.accept_qualification_request(QualificationRequestId=decided)
    raise SystemExit("boto3: second accept did not fail")
except c.exceptions.RequestError as e:
    assert e.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationRequestDoesNotExist", e.response
assert c.get_account_balance()["AvailableBalance"] == "10000.00"
print(f"aws_cli_check: boto3 {boto3.__version__}: paginator 100+100+48, RequestError with TurkErrorCode")
PY
else
    say "boto3 is not importable next to aws or as python3; boto3 check not run"
fi

# 7. The record holds exactly the two successful decisions.
python3 - "$tmp/rec.jsonl" "$acc_id" "$rej_id" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2, f"record has {len(lines)} lines: {lines}"
a, r = (json.loads(l) for l in lines)
assert a["op"] == "AcceptQualificationRequest" and a["QualificationRequestId"] == sys.argv[2], a
assert a["IntegerValue"] == 7, a
assert r["op"] == "RejectQualificationRequest" and r["QualificationRequestId"] == sys.argv[3], r
assert r["Reason"] == "Two answers were wrong, sorry.", r
print("aws_cli_check: record: exactly the accept and the reject")
PY

# 8. The sim stops cleanly on SIGTERM.
kill -TERM "$sim_pid"
set +e
wait "$sim_pid"
rc=$?
set -e
sim_pid=""
[[ $rc -eq 0 ]] || fail "the sim exited $rc on SIGTERM"
say "OK"
