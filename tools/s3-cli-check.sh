#!/usr/bin/env bash
# The AWS CLI against the offline stack's S3, as users' scripts drive it: `aws s3 cp` of a 20 MB file up and
# down (multipart both ways), `aws s3 sync` of a folder of odd key names up and back, `aws s3 ls`. It needs the
# AWS CLI (v1 or v2), which `pnpm test` does not: the same operations are tested there with the SDK.
#   bash tools/s3-cli-check.sh     builds the stack, starts one of its own on a free loopback port, stops it
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

if ! command -v aws >/dev/null; then
  echo "s3-cli-check: the AWS CLI is not installed (pip install awscli, or AWS CLI v2)" >&2
  exit 2
fi

work="$(mktemp -d)"
stack_pid=""
cleanup() {
  if [ -n "$stack_pid" ]; then kill "$stack_pid" 2>/dev/null || true; wait "$stack_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export AWS_EC2_METADATA_DISABLED=true TURBO_TELEMETRY_DISABLED=1
pnpm exec turbo run build --filter=@sagemaker-pipeline/local --output-logs=errors-only >/dev/null

# A stack with no services: started outside the workspace, it runs no function, only the emulated services.
(cd "$work" && exec node "$root/local/dist/cli.js" --port 0 --dir "$work/stack") >"$work/stack.log" 2>&1 &
stack_pid=$!
endpoint=""
for _ in $(seq 1 600); do
  endpoint="$(sed -n 's/^ready AWS_ENDPOINT_URL=//p' "$work/stack.log" | head -1)"
  [ -n "$endpoint" ] && break
  if ! kill -0 "$stack_pid" 2>/dev/null; then cat "$work/stack.log" >&2; exit 1; fi
  sleep 0.1
done
if [ -z "$endpoint" ]; then echo "s3-cli-check: the stack did not start within 60 s" >&2; cat "$work/stack.log" >&2; exit 1; fi
echo "s3-cli-check: $(aws --version 2>&1 | cut -d' ' -f1) against the stack at $endpoint"

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
s3() { aws --endpoint-url "$endpoint" s3 "$@" --only-show-errors; }

aws --endpoint-url "$endpoint" s3 mb s3://cli-check >/dev/null

head -c 20971520 /dev/urandom >"$work/big.bin"
s3 cp "$work/big.bin" s3://cli-check/big.bin
s3 cp s3://cli-check/big.bin "$work/big.down"
cmp "$work/big.bin" "$work/big.down"
etag="$(aws --endpoint-url "$endpoint" s3api head-object --bucket cli-check --key big.bin --query ETag --output text)"
echo "s3-cli-check: cp of 20 MB up and down: same bytes; ETag $etag"

mkdir -p "$work/odd/sub dir"
for name in 'a b.txt' 'plus+sign.txt' 'ünïcode.txt' 'question?.txt' 'percent%20.txt' 'semi;colon.txt' \
  'sub dir/x&y.txt' "it's.txt"; do
  printf '%s\n' "$name" >"$work/odd/$name"
done
s3 sync "$work/odd" s3://cli-check/odd/
s3 sync s3://cli-check/odd/ "$work/odd.down"
diff -r "$work/odd" "$work/odd.down"
listed="$(aws --endpoint-url "$endpoint" s3 ls s3://cli-check/odd/ --recursive | wc -l)"
if [ "$listed" -ne 8 ]; then echo "s3-cli-check: ls lists $listed keys, not 8" >&2; exit 1; fi
echo "s3-cli-check: sync of 8 odd key names up and back: same files; ls lists 8"
echo "s3-cli-check: ok"
