# The concurrency benchmark's agent with the least start-up (scripts/bench-concurrency.sh --agent bash): the
# same one chat call through the gateway as waiting-agent/agent.py, made by bash itself over /dev/tcp (no
# curl, no interpreter), the answer's body saved in the workspace. Its own CPU is about that of one bash
# start, so nearly all the CPU a task costs is the engine's and the sandbox's.
address=${OPENAI_BASE_URL#http://}
address=${address%%/*}
body='{"model": "stub", "messages": [{"role": "user", "content": "Say anything."}]}'
exec 3<>"/dev/tcp/${address%:*}/${address##*:}" || exit 1
printf 'POST /v1/chat/completions HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$address" "$OPENAI_API_KEY" "${#body}" "$body" >&3
IFS= read -r -d '' -u 3 response
[[ $response == "HTTP/1.1 200"* ]] || { echo "the gateway answered: ${response%%$'\r'*}" >&2; exit 1; }
printf '%s' "${response#*$'\r\n\r\n'}" >answer.txt
